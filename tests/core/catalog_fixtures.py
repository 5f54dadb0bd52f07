"""A small, fully sourced guide written as a city would write it, for the catalog tests."""

from __future__ import annotations

from pathlib import Path

import yaml

SOURCED_GUIDE = {
    "id": "city-test-guide",
    "version": 2,
    "reviewed_on": "2026-11-30",
    "title": {"ja": "市のテスト手続き", "en": "City test procedure"},
    "kana": "しの てすと てつづき",
    "category": "city-services",
    "keywords": ["テスト"],
    "summary": {"ja": "市のテスト用の手続きです。"},
    "summary_sources": ["city-page"],
    "online_route": {
        "url": "https://www.city.example.lg.jp/kurashi/test/start.html",
        "label": {"ja": "申請ページ"},
    },
    "steps": [
        {
            "id": "first",
            "title": {"ja": "はじめに"},
            "staff": {"ja": "カードを確かめます。"},
            "say": {"ja-easy": "カードを みせて ください。"},
            "sources": ["city-page"],
            "pitfalls": [
                {"problem": {"ja": "カードがない"}, "fix": {"ja": "出直し"}, "sources": ["agency"]}
            ],
            "branch": {
                "question": {"ja": "カードはありますか？"},
                "answers": [
                    {"label": {"ja": "ある"}, "goto": "last", "sources": ["agency"]},
                    {"label": {"ja": "ない"}, "outcome": "handed_off"},
                ],
            },
        },
        {
            "id": "last",
            "title": {"ja": "おわり"},
            "staff": {"ja": "完了です。"},
            "say": {"ja-easy": "おわりです。"},
            "sources": ["agency"],
            "outcome": "completed_online",
        },
    ],
    "slip": {
        "ja": {"title": "テスト", "steps": ["家で続けます"]},
        "ja-easy": {"title": "テスト", "steps": ["いえで つづけます"]},
    },
    "sources": [
        {
            "id": "city-page",
            "url": "https://www.city.example.lg.jp/kurashi/test/1234.html",
            "title": "テスト手続きのご案内",
            "publisher": "city",
            "checked_on": "2026-11-28",
            "about": "手続きの流れ",
        },
        {
            "id": "agency",
            "url": "https://www.digital.go.jp/policies/test/faq",
            "title": "よくある質問",
            "publisher": "agency",
            "checked_on": "2026-11-30",
            "about": "カードが要ること",
        },
    ],
    "changes": [
        {"version": 2, "date": "2026-11-30", "ja": "出典を更新", "en": "Sources updated"},
        {"version": 1, "date": "2026-11-01", "ja": "初版", "en": "First version"},
    ],
}


def sourced_guide(**changes) -> dict:
    """A deep copy of SOURCED_GUIDE with top-level keys replaced."""
    import copy

    guide = copy.deepcopy(SOURCED_GUIDE)
    guide.update(changes)
    return guide


def write_guide(folder: Path, guide: dict, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or guide['id']}.yaml"
    path.write_text(yaml.safe_dump(guide, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
