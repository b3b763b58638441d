"""What the server process needs at run time, apart from the ticket domain.

``atomic``: whole-file replacement, for every writer whose file another process reads;
``draining``: the SIGTERM flag the arbiter sets and /ready reads; ``shedding``: the worker's
503s under overload; ``warmup``: the stand-in that answers /health while the app is built.
Kept apart from ``tickets/`` and ``web/`` so that a change to how the process runs is not
looked for among the features, and the reverse.
"""
