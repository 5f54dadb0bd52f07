"""The anonymity guard: each kind of personal data is found, counter notes are left alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dxdesk.core.i18n import catalog
from dxdesk.core.privacy import (
    KIND_LABEL_KEYS,
    KINDS,
    Finding,
    PersonalDataError,
    ensure_no_personal_data,
    find_personal_data,
    is_valid_my_number,
    kind_label,
    luhn_valid,
    my_number_check_digit,
    utf16_span,
)

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]
VISIT_YEAR = 2026


def kinds_in(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_personal_data(text, visit_year=VISIT_YEAR)]


# --- My Number -------------------------------------------------------------------------------


def test_my_number_check_digit_matches_the_ministerial_ordinance_example() -> None:
    assert my_number_check_digit("12345678901") == 8
    assert is_valid_my_number("123456789018")
    assert not is_valid_my_number("123456789017")
    assert not is_valid_my_number("12345678901")


@pytest.mark.parametrize(
    "note, value",
    [
        ("番号は123456789018でした", "123456789018"),
        ("1234 5678 9018 を読み上げた", "1234 5678 9018"),
        ("控え：1234-5678-9018", "1234-5678-9018"),
        ("１２３４５６７８９０１８", "１２３４５６７８９０１８"),
        ("１２３４－５６７８－９０１８と言われた", "１２３４－５６７８－９０１８"),
        ("裏面記載1234-5678-9018", "1234-5678-9018"),
    ],
)
def test_my_number_is_found_with_or_without_separators(note: str, value: str) -> None:
    assert kinds_in(note) == [("my_number", value)]


def test_twelve_digits_failing_the_check_digit_are_not_a_my_number() -> None:
    assert all(kind != "my_number" for kind, _ in kinds_in("123456789017"))


# --- phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "03-1234-5678",
        "045-123-4567",
        "0166-12-3456",
        "01267-2-3456",
        "090-1234-5678",
        "080 1234 5678",
        "07012345678",
        "0312345678",
        "0120-123-456",
        "0800-123-4567",
        "+81-90-1234-5678",
        "+81 3 1234 5678",
        "+81(0)45-123-4567",
        "03(1234)5678",
        "(03)1234-5678",
        "０９０－１２３４－５６７８",
        "０３ー１２３４ー５６７８",
        "＋８１　９０　１２３４　５６７８",
    ],
)
def test_phone_numbers_of_every_shape_are_found(value: str) -> None:
    note = f"連絡先は{value}とのこと"
    assert kinds_in(note) == [("phone", value)]


@pytest.mark.parametrize("text", ["03-1234-567", "090-1234-567", "0000000000", "1234567890"])
def test_digit_runs_that_are_not_phone_numbers_are_left_alone(text: str) -> None:
    assert all(kind != "phone" for kind, _ in kinds_in(text))


# --- postal codes, e-mail --------------------------------------------------------------------


@pytest.mark.parametrize(
    "note, value",
    [
        ("〒123-4567", "〒123-4567"),
        ("〒1234567に送付", "〒1234567"),
        ("住所は123-4567の", "123-4567"),
        ("〒１２３－４５６７", "〒１２３－４５６７"),
        ("郵便番号 5300001", "5300001"),
    ],
)
def test_postal_codes_are_found(note: str, value: str) -> None:
    assert kinds_in(note) == [("postal_code", value)]


@pytest.mark.parametrize(
    "value", ["taro.yamada@example.co.jp", "a+b@mail.example.com", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"]
)
def test_email_addresses_are_found(value: str) -> None:
    assert kinds_in(f"メール{value}に送る") == [("email", value)]


def test_an_at_sign_alone_is_not_an_email() -> None:
    assert kinds_in("@マークの入力方法を説明") == []


# --- birth dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "note, value",
    [
        ("生年月日 S23.4.5", "S23.4.5"),
        ("昭和23年4月5日生まれ", "昭和23年4月5日"),
        ("誕生日は平成2年12月1日", "平成2年12月1日"),
        ("誕生日は令和2年1月1日", "令和2年1月1日"),
        ("H2.12.1生", "H2.12.1"),
        ("１９４８年４月５日", "１９４８年４月５日"),
        ("1948/4/5", "1948/4/5"),
        ("生年月日：2015-04-05", "2015-04-05"),
        ("昭和元年12月30日", "昭和元年12月30日"),
        ("昭和23年生まれ", "昭和23年"),
        ("㍼23年4月5日", "㍼23年4月5日"),
    ],
)
def test_birth_dates_are_found(note: str, value: str) -> None:
    assert kinds_in(note) == [("birth_date", value)]


@pytest.mark.parametrize(
    "note",
    [
        "2026年11月23日に来庁",
        "令和8年11月23日に再来庁",
        "2015年4月5日にカードを作った",
        "1948年の制度",
        "2026年度",
        "iOS 18.5.1 に更新",
        "S23の画面",
    ],
)
def test_recent_dates_and_bare_years_are_not_birth_dates(note: str) -> None:
    assert kinds_in(note) == []


def test_the_birth_date_threshold_follows_the_visit_year() -> None:
    note = "2009年4月1日に発行"
    assert find_personal_data(note, visit_year=2026)[0].kind == "birth_date"
    assert find_personal_data(note, visit_year=2020) == []


# --- card and account numbers ----------------------------------------------------------------


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


@pytest.mark.parametrize(
    "value",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "3782-822463-10005",
        "４１１１１１１１１１１１１１１１",
    ],
)
def test_card_numbers_are_found(value: str) -> None:
    assert kinds_in(f"カード{value}を見せられた") == [("card_number", value)]


def test_sixteen_digits_failing_luhn_are_not_a_card_number() -> None:
    assert all(kind != "card_number" for kind, _ in kinds_in("4111111111111112"))


@pytest.mark.parametrize(
    "note, value",
    [
        ("口座番号1234567", "1234567"),
        ("普通 7654321", "7654321"),
        ("店番123", "123"),
        ("当座：0012345", "0012345"),
        ("ゆうちょ 記号12345 番号12345671", "12345"),
        ("口座番号は１２３４５６７", "１２３４５６７"),
    ],
)
def test_account_numbers_after_a_bank_word_are_found(note: str, value: str) -> None:
    assert kinds_in(note)[0] == ("account_number", value)


@pytest.mark.parametrize(
    "note", ["公金受取口座の登録を2回試した", "普通に3回で成功", "口座番号の入力欄は7桁"]
)
def test_bank_words_without_a_number_are_left_alone(note: str) -> None:
    assert kinds_in(note) == []


# --- PINs and passwords ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "note, value",
    [
        ("暗証番号は1234", "1234"),
        ("暗証番号 1234", "1234"),
        ("PIN 1234", "1234"),
        ("PINは0000と言っていた", "0000"),
        ("PIN is 5678", "5678"),
        ("PINコード：123456", "123456"),
        ("パスワード abc12345", "abc12345"),
        ("password: Abc12345", "Abc12345"),
        ("署名用パスワードはABCD1234", "ABCD1234"),
        ("パスコードは「135790」", "135790"),
        ("暗証番号は１２３４", "１２３４"),
        ("署名用パスワードはＡＢＣＤ１２３４とメモ", "ＡＢＣＤ１２３４"),
        ("暗証番号は一二三四", "一二三四"),
    ],
)
def test_a_pin_or_password_next_to_its_word_is_found(note: str, value: str) -> None:
    assert kinds_in(note) == [("secret", value)]


@pytest.mark.parametrize(
    "note",
    [
        "暗証番号を3回まちがえた",
        "暗証番号（4桁）を忘れた",
        "4桁の暗証番号",
        "暗証番号は4桁",
        "暗証番号は４桁の数字",
        "パスワードは6〜16文字",
        "パスワードは8文字以上",
        "署名用パスワードは英数字6〜16桁",
        "パスワードを初期化",
        "PINを2回間違えた",
        "PIN 4桁を入力",
        "暗証番号は2025年に設定したもの",
        "暗証番号は〇〇〇〇と伏せて記録",
        "password reset",
        "Pinterestのアプリ1234",
    ],
)
def test_pin_lengths_and_pin_trouble_are_not_secrets(note: str) -> None:
    assert kinds_in(note) == []


# --- addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "note, value",
    [
        ("北区1丁目2番3号", "北区1丁目2番3号"),
        ("住所は本町1-2-3です", "本町1-2-3"),
        ("中央区本町二丁目3番地", "中央区本町二丁目3番地"),
        ("旭が丘3丁目4-5", "旭が丘3丁目4-5"),
        ("栄町１２３番地", "栄町１２３番地"),
        ("緑区5番6号", "緑区5番6号"),
    ],
)
def test_addresses_are_found(note: str, value: str) -> None:
    assert kinds_in(note) == [("address", value)]


@pytest.mark.parametrize("note", ["窓口2番で対応", "2番目の画面", "手順1-2-3の順", "第3号様式"])
def test_counter_numbers_and_steps_are_not_addresses(note: str) -> None:
    assert kinds_in(note) == []


@pytest.mark.parametrize(
    "note, value",
    [
        ("北区王子1-2-3", "北区王子1-2-3"),
        ("王子本町1の2の3に住む", "王子本町1の2の3"),
        ("北区王子1-2-3-405に住んでいる", "北区王子1-2-3-405"),
        ("中央区築地１－２－３", "中央区築地１－２－３"),
    ],
)
def test_three_number_groups_after_a_place_name_are_an_address(note: str, value: str) -> None:
    assert kinds_in(note) == [("address", value)]


@pytest.mark.parametrize(
    "note, value",
    [
        ("住所は北区王子本町", "北区王子本町"),
        ("住所：東京都北区王子5-6-7", "東京都北区王子5-6-7"),
        ("住所は王子5-6です", "王子5-6"),
        ("自宅は横浜市青葉区とのこと", "横浜市青葉区"),
        ("現住所 大阪府大阪市北区梅田", "大阪府大阪市北区梅田"),
        ("お住まいは北海道札幌市", "北海道札幌市"),
    ],
)
def test_a_place_after_an_address_word_is_an_address(note: str, value: str) -> None:
    assert kinds_in(note) == [("address", value)]


@pytest.mark.parametrize(
    "note",
    [
        "手順2-3で止まった",
        "3-2の画面",
        "ver 1-2-3",
        "別表1-2-3を参照",
        "令和8-11-23に再来庁",
        "予約日2026-11-23",
        "住所変更の手続き",
        "住所変更ワンストップ",
        "住所は未定",
        "住所欄の書き方",
        "住所の入力画面で止まった",
        "住所は区外のため転入届が必要",
        "住所は市内のまま",
        "住所は区役所で変更済み",
        "住所は他市から転入予定",
        "お住まいの区役所で手続き",
    ],
)
def test_steps_dates_and_address_words_alone_are_not_addresses(note: str) -> None:
    assert kinds_in(note) == []


def test_twelve_digits_that_fail_the_my_number_check_are_still_an_identifier() -> None:
    # A mistyped My Number is still a My Number; no counter note needs a 12-digit number.
    assert kinds_in("控え1234-5678-9017") == [("id_number", "1234-5678-9017")]


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "note, value",
    [
        ("山田さんが来庁", "山田さん"),
        ("田中様の件", "田中様"),
        ("佐々木氏", "佐々木氏"),
        ("グエンさんに英語で説明", "グエンさん"),
        ("けんたくんと一緒に", "けんたくん"),
        ("Mariaさん", "Mariaさん"),
        ("山田 花子様", "山田 花子様"),
    ],
)
def test_names_before_an_honorific_are_found(note: str, value: str) -> None:
    assert kinds_in(note) == [("person_name", value)]


@pytest.mark.parametrize(
    "role",
    [
        "お客さん",
        "皆さん",
        "職員さん",
        "娘さん",
        "息子さん",
        "奥さん",
        "お母さん",
        "お孫さん",
        "ヘルパーさん",
        "ケアマネさん",
        "店員さん",
        "担当者様",
        "ご家族様",
        "おばあちゃん",
        "民生委員さん",
    ],
)
def test_role_words_with_an_honorific_are_not_names(role: str) -> None:
    assert kinds_in(f"{role}と一緒に来庁") == []


@pytest.mark.parametrize("note", ["氏名欄の書き方", "申請様式", "同様に", "ちゃんと読めた"])
def test_honorific_characters_inside_words_are_not_names(note: str) -> None:
    assert kinds_in(note) == []


@pytest.mark.parametrize(
    "note, value",
    [
        ("氏名 山田太郎", "山田太郎"),
        ("名前は山田太郎", "山田太郎"),
        ("名前は山田太郎と名乗った", "山田太郎"),
        ("お名前：佐藤花子", "佐藤花子"),
        ("氏名　山田　太郎", "山田　太郎"),
        ("フルネームは ヤマダタロウ", "ヤマダタロウ"),
        ("フルネーム「グエン・ヴァン・アン」", "グエン・ヴァン・アン"),
        ("本名は佐々木一郎", "佐々木一郎"),
        ("お名前：やまだはなこ", "やまだはなこ"),
        ("氏名 山田太郎 電話で確認", "山田太郎"),
        ("name: Taro Yamada", "Taro Yamada"),
        ("Her name is Maria Santos", "Maria Santos"),
        ("ｎａｍｅ：Ｔａｒｏ　Ｙａｍａｄａ", "Ｔａｒｏ　Ｙａｍａｄａ"),
    ],
)
def test_names_after_a_name_label_are_found(note: str, value: str) -> None:
    assert kinds_in(note) == [("person_name", value)]


@pytest.mark.parametrize(
    "note",
    [
        "名前は書かないでください",
        "名前は言わなかった",
        "名前は不明",
        "名前の入力で止まった",
        "氏名欄の書き方を説明",
        "名前を確認した",
        "フルネームで入力",
        "名前変更の手続き",
        "名前は記録しない決まり",
        "名前はカタカナで入力",
        "名前はローマ字で入力",
        "名前が旧字体で表示されない",
        "名前が一致しないとエラー",
        "名前は鉛筆で記入してもらった",
        "氏名は照合した",
        "名前は届出と同じ",
        "名前は口頭で確認",
        "フルネームは不要",
        "アプリの名前はマイナポータル",
        "Wi-Fiの名前はDXDESK-FREE",
        "Name change explained",
        "Name: not recorded",
        "Name: Unknown",
        "the app name: Google Play",
    ],
)
def test_name_labels_without_a_name_are_left_alone(note: str) -> None:
    assert kinds_in(note) == []


@pytest.mark.parametrize(
    "note, value",
    [
        ("Mr. Yamada", "Mr. Yamada"),
        ("Ms Tanaka asked again", "Ms Tanaka"),
        ("Mrs. Suzuki", "Mrs. Suzuki"),
        ("Dr. Sato came", "Dr. Sato"),
        ("Mr.山田に説明", "Mr.山田"),
        ("Yamada-san", "Yamada-san"),
        ("Yamada san", "Yamada san"),
        ("helped kenta-kun", "kenta-kun"),
        ("Ｙａｍａｄａ－ｓａｎ", "Ｙａｍａｄａ－ｓａｎ"),
    ],
)
def test_names_with_a_latin_honorific_are_found(note: str, value: str) -> None:
    assert kinds_in(note) == [("person_name", value)]


@pytest.mark.parametrize(
    "note",
    [
        "Mr.",
        "Mr. and Mrs.",
        "the resident",
        "Android",
        "iPhone",
        "Google Play",
        "App Store",
        "My Number Card",
        "Mynaportal",
        "okaa-san came too",
        "Mina-san get stuck at the same step",
        "Docomo-san de kishu henkou",
    ],
)
def test_english_words_roles_and_product_names_are_not_names(note: str) -> None:
    assert kinds_in(note) == []


# --- spans, normalisation, several findings --------------------------------------------------


def test_spans_point_into_the_original_text_even_after_nfkc() -> None:
    note = "ﾒﾓ：ｶﾞｲﾄﾞ後、０９０－１２３４－５６７８へ。山田さん"
    findings = find_personal_data(note, visit_year=VISIT_YEAR)
    assert [f.kind for f in findings] == ["phone", "person_name"]
    for f in findings:
        assert note[f.start : f.end] == f.text
    assert findings[0].text == "０９０－１２３４－５６７８"


def test_several_findings_come_back_in_order_without_overlap() -> None:
    note = "山田さん 090-1234-5678 〒123-4567 taro@example.jp 口座番号1234567"
    findings = find_personal_data(note, visit_year=VISIT_YEAR)
    assert [f.kind for f in findings] == [
        "person_name",
        "phone",
        "postal_code",
        "email",
        "account_number",
    ]
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))


def test_utf16_span_counts_surrogate_pairs_for_qt() -> None:
    note = "𠮷野家の前で090-1234-5678"
    finding = find_personal_data(note, visit_year=VISIT_YEAR)[0]
    assert (finding.start, finding.end) == (6, 19)
    assert utf16_span(note, finding) == (7, 20)


def test_empty_text_has_no_findings() -> None:
    assert find_personal_data("") == []


# --- the clean corpus ------------------------------------------------------------------------


def clean_notes() -> list[str]:
    lines = (DATA / "clean_notes.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


def test_the_clean_corpus_is_big_enough() -> None:
    assert len(clean_notes()) >= 200


def test_realistic_counter_notes_produce_no_findings() -> None:
    flagged = {
        note: kinds_in(note)
        for note in clean_notes()
        if find_personal_data(note, visit_year=VISIT_YEAR)
    }
    assert flagged == {}


# --- ensure_no_personal_data and labels ------------------------------------------------------


def test_ensure_returns_clean_text_unchanged() -> None:
    note = "NFC読み取りに3回失敗。ケースを外して成功"
    assert ensure_no_personal_data(note, "メモ", visit_year=VISIT_YEAR) is note


def test_ensure_raises_naming_the_field_and_the_kinds() -> None:
    with pytest.raises(PersonalDataError) as caught:
        ensure_no_personal_data("山田さん 090-1234-5678", "相談メモ", visit_year=VISIT_YEAR)
    error = caught.value
    assert error.field == "相談メモ"
    assert [f.kind for f in error.findings] == ["person_name", "phone"]
    assert isinstance(error, ValueError)
    message = str(error)
    assert "相談メモ" in message and "電話番号" in message and "名前" in message


def test_error_message_in_english() -> None:
    error = PersonalDataError("note", [Finding("email", 0, 5, "a@b.jp")], lang="en")
    assert str(error).startswith('"note" contains personal data (e-mail address)')


def test_error_message_names_a_secret() -> None:
    with pytest.raises(PersonalDataError) as caught:
        ensure_no_personal_data("暗証番号は1234", "相談メモ", visit_year=VISIT_YEAR)
    assert caught.value.kinds == ["secret"]
    assert "暗証番号・パスワード" in str(caught.value)
    error = PersonalDataError("note", caught.value.findings, lang="en")
    assert "(PIN or password)" in str(error)


def test_every_kind_has_a_label_in_both_languages() -> None:
    ui = catalog("ui")
    for kind in KINDS:
        entry = ui[KIND_LABEL_KEYS[kind]]
        assert entry["ja"] and entry["en"]
        assert kind_label(kind, "ja") == entry["ja"]


# --- the CLI ---------------------------------------------------------------------------------


def run_scan(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["uv", "run", "dxdesk", "--lang", "en", "privacy", "scan", "--visit-year", "2026", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )


def test_cli_scan_reports_line_and_span_per_finding(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "NFC読み取りに3回失敗\n山田さんに電話 090-1234-5678\n\n〒123-4567\n", encoding="utf-8"
    )
    result = run_scan(str(notes))
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "2:0-4 person_name",
        "2:8-21 phone",
        "4:0-9 postal_code",
    ]


def test_cli_scan_reads_stdin_and_exits_0_when_clean() -> None:
    clean = "\n".join(clean_notes()[:20]) + "\n"
    result = run_scan(stdin=clean)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    found = run_scan(stdin="iOS 18.5\r\n生年月日 S23.4.5\r\n")
    assert found.returncode == 1
    assert found.stdout.splitlines() == ["2:5-12 birth_date"]


def test_cli_scan_exits_2_naming_an_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-notes.txt"
    result = run_scan(str(missing))
    assert result.returncode == 2
    assert "no-such-notes.txt" in result.stderr
    binary = tmp_path / "sjis.txt"
    binary.write_bytes("山田さん".encode("shift_jis"))
    result = run_scan(str(binary))
    assert result.returncode == 2
    assert "sjis.txt" in result.stderr and "UTF-8" in result.stderr


def test_cli_module_imports_no_qt() -> None:
    code = "import sys, dxdesk.commands.privacy; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "note",
    [
        "小林(75) 耳が遠い",
        "長女 美咲（12）の申請",
        "緑ヶ丘にひとり暮らし",
        "メゾン桜 2F の方",
        "ゼロキューゼロ イチニサンヨン ゴロクナナハチ",
        "YOSHIDA ローマ字表記",
    ],
)
def test_forms_found_while_probing_after_the_held_out_set_are_flagged(note: str) -> None:
    assert kinds_in(note)


@pytest.mark.parametrize(
    "note",
    ["Safari Private Browsing", "Dark Mode にした", "Hello Work で求人", "Emergency SOS",
     "Low Power Mode", "Kaigo Hoken"],
)  # fmt: skip
def test_two_capitalised_english_words_are_no_name_without_a_person_around(note: str) -> None:
    assert kinds_in(note) == []


@pytest.mark.parametrize(
    "note, name",
    [("John Smith came alone", "John Smith"), ("Client: Anna Lee", "Anna Lee"),
     ("Maria Santos 2回目", "Maria Santos")],
)  # fmt: skip
def test_a_foreign_name_is_found_where_a_person_is_written(note: str, name: str) -> None:
    assert kinds_in(note) == [("person_name", name)]
