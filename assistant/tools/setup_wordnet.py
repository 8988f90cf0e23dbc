"""Make nltk's METEOR work offline from Debian's WordNet files.

`nltk.download` cannot reach its host here, but Debian's `wordnet-base` and
`wordnet-sense-index` ship the database in /usr/share/wordnet. nltk also wants
the `lexnames` file, which Debian leaves out; its 45 lines are listed in the
lexnames(5WN) man page (number, name, syntactic category). We install into
<sys.prefix>/nltk_data, which nltk searches by default.

Never fatal: without WordNet the evaluation says so in its report.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

DEBIAN_WORDNET = Path("/usr/share/wordnet")

_LEXNAMES = (
    "adj.all 3",
    "adj.pert 3",
    "adv.all 4",
    "noun.Tops 1",
    "noun.act 1",
    "noun.animal 1",
    "noun.artifact 1",
    "noun.attribute 1",
    "noun.body 1",
    "noun.cognition 1",
    "noun.communication 1",
    "noun.event 1",
    "noun.feeling 1",
    "noun.food 1",
    "noun.group 1",
    "noun.location 1",
    "noun.motive 1",
    "noun.object 1",
    "noun.person 1",
    "noun.phenomenon 1",
    "noun.plant 1",
    "noun.possession 1",
    "noun.process 1",
    "noun.quantity 1",
    "noun.relation 1",
    "noun.shape 1",
    "noun.state 1",
    "noun.substance 1",
    "noun.time 1",
    "verb.body 2",
    "verb.change 2",
    "verb.cognition 2",
    "verb.communication 2",
    "verb.competition 2",
    "verb.consumption 2",
    "verb.contact 2",
    "verb.creation 2",
    "verb.emotion 2",
    "verb.motion 2",
    "verb.perception 2",
    "verb.possession 2",
    "verb.social 2",
    "verb.stative 2",
    "verb.weather 2",
    "adj.ppl 3",
)


def lexnames_text() -> str:
    lines = []
    for i, entry in enumerate(_LEXNAMES):
        name, cat = entry.split()
        lines.append(f"{i:02d}\t{name}\t{cat}")
    return "\n".join(lines) + "\n"


def target_dir() -> Path:
    return Path(sys.prefix) / "nltk_data" / "corpora" / "wordnet"


def install(source: Path = DEBIAN_WORDNET, target: Path | None = None) -> Path | None:
    target = target or target_dir()
    if (target / "lexnames").exists() and (target / "data.noun").exists():
        return target
    if not (source / "data.noun").exists():
        return None
    target.mkdir(parents=True, exist_ok=True)
    for f in source.iterdir():
        if f.is_file():
            shutil.copy2(f, target / f.name)
    (target / "lexnames").write_text(lexnames_text(), encoding="ascii")
    return target


def main() -> int:
    where = install()
    if where is None:
        print(
            "note: WordNet not found in /usr/share/wordnet (Debian: apt-get install "
            "wordnet-base wordnet-sense-index); METEOR will be reported without synonyms."
        )
    else:
        print(f"WordNet for METEOR ready in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
