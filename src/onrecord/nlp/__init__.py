"""Loading the spaCy pipeline: once per process, never at import time."""

from onrecord.nlp.loading import MODEL_NAME, MODEL_PACKAGE, load_pipeline, model_description

__all__ = ["MODEL_NAME", "MODEL_PACKAGE", "load_pipeline", "model_description"]
