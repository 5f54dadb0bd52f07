"""The 'other' note dialog: a flagged note stays unsaveable until nothing identifying is left."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor

from dxdesk.gui.note_dialog import OtherNoteDialog


def delete(dialog: OtherNoteDialog, part: str) -> None:
    """Select ``part`` in the field and delete it, as a clerk does with the mouse."""
    text = dialog.edit.toPlainText()
    start = text.index(part)
    cursor = dialog.edit.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(part), QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()


def test_deleting_only_the_marked_date_keeps_save_disabled(qtbot) -> None:
    dialog = OtherNoteDialog()
    qtbot.addWidget(dialog)
    for char in "おおた 昭和20年5月5日生まれ":  # one commit per character, as from an IME
        dialog.edit.insertPlainText(char)
    assert not dialog.save_button.isEnabled()
    delete(dialog, "昭和20年5月5日")
    assert dialog.edit.toPlainText() == "おおた 生まれ"
    assert not dialog.save_button.isEnabled()
    assert "おおた" in dialog.problem.text()
    assert dialog.edit.extraSelections()  # the word left behind is marked too
    delete(dialog, "おおた ")
    assert dialog.save_button.isEnabled()
    assert dialog.problem.text() == ""


def test_a_phone_number_with_zero_width_spaces_is_marked_over_the_original_text(qtbot) -> None:
    dialog = OtherNoteDialog()
    qtbot.addWidget(dialog)
    note = "携帯090\u200b1234\u200b5678に折り返し"
    dialog.edit.setPlainText(note)
    assert not dialog.save_button.isEnabled()
    (mark,) = dialog.edit.extraSelections()
    assert mark.cursor.selectedText().replace("\u200b", "") == "09012345678"
