"""The seat's stylesheet: Textual's, keeping the rules it has parsed while its variables
stay the same.

Textual refreshes the CSS as the first screen of a mode mounts and as the theme is set:
each refresh sets the variables again, which drops every parsed source even when they did
not change, and reparses every source in a new stylesheet; the next widget class to mount
then parses them all a third time. Rules parsed from the same source with the same
variables come out the same, so here a refresh with the same variables keeps them and only
sources not parsed yet are parsed (about 20 ms of a seat's start on a slow box). A change of
variables (a new theme) drops them all, as in Textual.
"""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet


class KeptStylesheet(Stylesheet):
    def set_variables(self, variables: dict[str, str]) -> None:
        if variables != self._variables:
            super().set_variables(variables)

    def reparse(self) -> None:
        if self._invalid_css:
            # A source failed before: Textual's own way, in a new stylesheet, tries it again.
            super().reparse()
            return
        # Parsed in place: what is cached is taken, the rest parsed with the variables as
        # they are. On an error the rules stay as they were, as in Textual.
        self.parse()
