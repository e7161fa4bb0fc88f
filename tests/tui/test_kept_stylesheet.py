"""The seat's stylesheet keeps the rules it parsed while the variables stay the same: each
source is parsed once before the login screen, and the screens look as Textual's own
stylesheet draws them, a change of theme included."""

from __future__ import annotations

import textual.css.stylesheet as textual_stylesheet
from textual.css.stylesheet import Stylesheet

from screens.widgets.stylesheet import KeptStylesheet
from tests.tui.conftest import log_in, make_app, settle

SIZE = (80, 24)


async def test_each_source_is_parsed_once_up_to_the_login_screen(counter, monkeypatch):
    parsed = []
    real = textual_stylesheet.parse

    def counted(scope, css, read_from, **kwargs):
        parsed.append((read_from, scope, kwargs.get("tie_breaker"), kwargs.get("is_default_rules")))
        return real(scope, css, read_from, **kwargs)

    monkeypatch.setattr(textual_stylesheet, "parse", counted)
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "LoginScreen"
        assert isinstance(app.stylesheet, KeptStylesheet)
    assert any(str(where[0][0]).endswith("serialdesk.tcss") for where in parsed)
    assert len(parsed) == len(set(parsed)), [p for p in parsed if parsed.count(p) > 1]


def _described(sheet: Stylesheet) -> list[tuple]:
    return [
        (r.selectors, repr(r.styles.get_rules()), r.is_default_rules, r.tie_breaker)
        for r in sheet.rules
    ]


def _plain_rules(sheet: Stylesheet) -> list[tuple]:
    """The rules Textual's own stylesheet parses from the same sources and variables."""
    plain = Stylesheet(variables=dict(sheet._variables))
    plain.source = dict(sheet.source)
    plain.parse()
    return _described(plain)


async def _drawn(counter, plain: bool, theme: str) -> tuple[list[str], list[tuple]]:
    app = make_app(counter)
    if plain:
        app.stylesheet = Stylesheet(variables=app.stylesheet._variables)
    screens = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screens.append(app.export_screenshot())
        await log_in(pilot, "cal")
        await pilot.press("f2")
        await settle(pilot)
        screens.append(app.export_screenshot())
        app.theme = theme
        await settle(pilot)
        screens.append(app.export_screenshot())
        await pilot.press("f8")
        await settle(pilot)
        screens.append(app.export_screenshot())
        assert type(app.stylesheet) is (Stylesheet if plain else KeptStylesheet)
        rules = _described(app.stylesheet) if plain else _check_same_rules(app.stylesheet)
        return screens, rules


def _check_same_rules(sheet: Stylesheet) -> list[tuple]:
    assert _described(sheet) == _plain_rules(sheet)
    return _described(sheet)


async def test_screens_and_a_new_theme_look_as_textuals_own_stylesheet_draws_them(counter):
    kept, kept_rules = await _drawn(counter, plain=False, theme="textual-light")
    plain, plain_rules = await _drawn(counter, plain=True, theme="textual-light")
    assert kept_rules == plain_rules
    for ours, textuals in zip(kept, plain, strict=True):
        assert ours == textuals
    assert kept[2] != kept[1]  # the new theme did change the colours


async def test_a_refresh_with_the_same_variables_keeps_the_parsed_rules(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rules = app.stylesheet.rules
        app.refresh_css()
        await pilot.pause()
        assert all(a is b for a, b in zip(app.stylesheet.rules, rules, strict=True))
        app.theme = "textual-light"
        await pilot.pause()
        assert not any(a is b for a, b in zip(app.stylesheet.rules, rules, strict=False))
        _check_same_rules(app.stylesheet)
