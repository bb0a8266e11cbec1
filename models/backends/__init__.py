"""MT engines behind one interface (a batch of token sequences in, token sequences out).

Modules: ``base`` (``Backend``, ``Decoding``, the lazy name -> engine registry and the device /
compute-type rules), ``ct2`` (CTranslate2, with conversion into the cache), ``hf``
(transformers ``generate``). torch, transformers and ctranslate2 are imported inside them.
"""
