"""The catalogue a bloc's texts name its titles with: its province's words in a year
(khoibot.services.Services.catalogue_for). Services take either that function, to name each
bloc's titles for the year they show, or one catalogue for every bloc (tests, tools)."""

from __future__ import annotations

from collections.abc import Callable

from domain.catalogue import Catalogue
from domain.provinces import Naming
from storage.models import Bloc

CatalogueFor = Callable[[Bloc, int], Catalogue]
Catalogues = Catalogue | CatalogueFor
# What the bloc's documents call its province in a year (None: as the bloc typed it).
NamingFor = Callable[[Bloc, int], Naming | None]


def catalogue_of(catalogues: Catalogues, bloc: Bloc, year: int | None = None) -> Catalogue:
    """The bloc's catalogue for ``year`` (its current year by default)."""
    if isinstance(catalogues, Catalogue):
        return catalogues
    return catalogues(bloc, bloc.year if year is None else year)


def as_typed(bloc: Bloc, year: int) -> Naming | None:
    """No province configured: the documents call it as the bloc typed it."""
    return None
