"""unmt: Chinese-to-English translation, alignment and terminology scoring for UN documents.

The package is split into three subpackages (mapped from top-level folders of the repository):

* :mod:`unmt.pipeline` -- records, ingest and segmentation, alignment, runs, export, the CLI;
* :mod:`unmt.models` -- MT backends (transformers, CTranslate2), model loading, the tiny test model;
* :mod:`unmt.eval` -- glossaries and term matching, BLEU/chrF/TER, alignment scoring, reports.

Importing :mod:`unmt` does no work and imports no heavy library.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("unmt")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
