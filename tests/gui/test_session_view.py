"""The wizard widget is a SessionView: every question the flow may ask, the real screen answers
(so the plain-Python view in tests/core/test_session_flow.py stands for something real)."""

from __future__ import annotations

from dxdesk.core.catalog import load_catalog
from dxdesk.core.paths import forms_dir
from dxdesk.core.session import SupportSession
from dxdesk.core.session_flow import SessionView
from dxdesk.gui.session_screen import SessionScreen
from tests.core.test_session_flow import CounterView


def protocol_methods() -> set[str]:
    return {name for name in vars(SessionView) if not name.startswith("_")}


def test_the_screen_and_the_test_view_answer_every_question(qtbot) -> None:
    catalog = load_catalog(forms_dir())
    screen = SessionScreen(SupportSession.start(catalog, "kita-1"), catalog)
    qtbot.addWidget(screen)
    assert "confirm" in protocol_methods() and "visit_ended" in protocol_methods()
    for name in protocol_methods():
        assert callable(getattr(SessionScreen, name, None)), f"the screen lacks {name}"
        assert callable(getattr(CounterView, name, None)), f"the test view lacks {name}"
    assert screen.flow.view is screen
    assert screen.current_page() == "start"
