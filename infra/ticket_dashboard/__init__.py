"""Pulumi components that run the ticket dashboard and its sidecars on one Docker host.

Laid out by role: ``settings`` (the typed stack settings, their loader and report, the
README table), ``components`` (one ComponentResource each: image, network, storage,
proxy, dashboard, backup, monitor), ``containers`` (the hardened factory every container
comes from, replicas, health checks) and ``dynamic`` (small dynamic resources). Beside
them: ``naming``, ``project``, ``units``, ``workload`` (what the image in app/ expects),
``ports`` (host port choice) and ``releases``.
"""

from ticket_dashboard.dynamic import former_paths

# Stacks deployed before this layout name their dynamic providers by the old module paths.
former_paths.install()
