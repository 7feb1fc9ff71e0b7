"""Other names people type for the index's places and roles, in English, French and Spanish.

The archive spells places and roles in English ("Peru", "Experimenter"); chat
messages say "Pérou", "solo en Perú", "latinoamérica", "explorateurs". This
table maps each such name (accents and case are folded before matching, so
"Pérou" and "perou" are one entry) to the index's own values. A name is used
only when the index knows the value it maps to, so the table can list more
places than a given archive holds.
"""

from __future__ import annotations

_AMERICAS = ("North America", "South America")

#: (kind, English values) → the names that mean them.
_NAMES: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {
    # continents
    ("continent", ("Africa",)): ("afrique", "africa"),
    ("continent", ("Asia",)): ("asie",),
    ("continent", ("Europe",)): ("europa",),
    ("continent", ("North America",)): (
        "amerique du nord",
        "america del norte",
        "norteamerica",
        "central america",
        "amerique centrale",
        "america central",
        "centroamerica",
    ),
    ("continent", ("South America",)): ("amerique du sud", "america del sur", "sudamerica", "suramerica"),
    ("continent", _AMERICAS): (
        "latin america",
        "the americas",
        "americas",
        "amerique latine",
        "ameriques",
        "america latina",
        "latinoamerica",
        "las americas",
    ),
    # countries whose French or Spanish name differs from the English one
    ("country", ("Algeria",)): ("algerie", "argelia"),
    ("country", ("Argentina",)): ("argentine",),
    ("country", ("Bangladesh",)): ("banglades",),
    ("country", ("Bhutan",)): ("bhoutan", "butan"),
    ("country", ("Bolivia",)): ("bolivie",),
    ("country", ("Bosnia and Herzegovina",)): ("bosnia", "bosnie", "bosnie herzegovine", "bosnia y herzegovina"),
    ("country", ("Cambodia",)): ("cambodge", "camboya"),
    ("country", ("Cameroon",)): ("cameroun", "camerun"),
    ("country", ("Colombia",)): ("colombie",),
    ("country", ("Democratic Republic of Congo",)): (
        "drc",
        "rdc",
        "congo",
        "republique democratique du congo",
        "republica democratica del congo",
    ),
    ("country", ("Ecuador",)): ("equateur",),
    ("country", ("El Salvador",)): ("salvador",),
    ("country", ("Eswatini",)): ("swaziland", "esuatini", "swazilandia"),
    ("country", ("Ethiopia",)): ("ethiopie", "etiopia"),
    ("country", ("Gambia",)): ("gambie",),
    ("country", ("Guinea Bissau",)): ("guinee bissau", "guinea bisau"),
    ("country", ("Haiti",)): ("haiti",),
    ("country", ("Iraq",)): ("irak",),
    ("country", ("Jordan",)): ("jordanie", "jordania"),
    ("country", ("Laos",)): ("lao pdr",),
    ("country", ("Libya",)): ("libye", "libia"),
    ("country", ("Malawi",)): ("malaui",),
    ("country", ("Mexico",)): ("mexique",),
    ("country", ("Mongolia",)): ("mongolie",),
    ("country", ("Namibia",)): ("namibie",),
    ("country", ("North Macedonia",)): ("macedoine du nord", "macedonia del norte", "macedonia"),
    ("country", ("Peru",)): ("perou",),
    ("country", ("Philippines",)): ("filipinas",),
    ("country", ("Rwanda",)): ("ruanda",),
    ("country", ("Serbia",)): ("serbie",),
    ("country", ("Sierra Leone",)): ("sierra leona",),
    ("country", ("Somalia",)): ("somalie",),
    ("country", ("South Africa",)): ("afrique du sud", "sudafrica"),
    ("country", ("South Sudan",)): ("soudan du sud", "sudan del sur"),
    ("country", ("Sudan",)): ("soudan",),
    ("country", ("Syria",)): ("syrie", "siria"),
    ("country", ("Tanzania",)): ("tanzanie",),
    ("country", ("Thailand",)): ("thailande", "tailandia"),
    ("country", ("Timor Leste",)): ("east timor", "timor oriental"),
    ("country", ("Uganda",)): ("ouganda",),
    ("country", ("Vietnam",)): ("viet nam",),
    ("country", ("Zambia",)): ("zambie",),
    ("country", ("Zimbabwe",)): ("zimbabue",),
    # roles (the English spoken names come from index.vocabulary.ROLES)
    ("role", ("Experimenter",)): ("experimentateur", "experimentatrice", "experimentador", "experimentadora"),
    ("role", ("Explorer",)): ("explorateur", "exploratrice", "explorador", "exploradora"),
    ("role", ("Solutions Mapper",)): (
        "cartographe de solutions",
        "cartographe",
        "mapeador de soluciones",
        "mapeadora de soluciones",
        "mapeador",
        "mapeadora",
    ),
}

#: Folded name → (kind, English values).
ALIASES: dict[str, tuple[str, tuple[str, ...]]] = {name: target for target, names in _NAMES.items() for name in names}

__all__ = ["ALIASES"]
