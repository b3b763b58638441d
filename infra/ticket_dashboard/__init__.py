"""Pulumi components that run the ticket dashboard and its sidecars on one Docker host.

One module per concern: ``config`` (the typed stack settings), ``ports`` (host port choice),
``image``, ``network``, ``storage``, ``dashboard``, ``backup`` and ``monitor`` (one
ComponentResource each), ``container_baseline`` (the security baseline every container
shares) and ``workload`` (what the image in app/ expects: commands, paths, env names).
"""
