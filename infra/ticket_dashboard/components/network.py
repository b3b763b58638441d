"""The stack's own bridge network: a fixed subnet, so firewall rules and peers can rely
on it, and DNS by container name between the dashboard and its sidecars."""

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from ticket_dashboard.naming import StackNaming
from ticket_dashboard.settings.sections import NetworkConfig

NETWORK_TYPE = "ticket-dashboard:index:Network"


@dataclass(frozen=True)
class NetworkArgs:
    naming: StackNaming
    settings: NetworkConfig


class StackNetwork(pulumi.ComponentResource):
    """A user-defined bridge with the stack's IPAM subnet and gateway."""

    name: pulumi.Output[str]
    subnet: pulumi.Output[str]

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(NETWORK_TYPE, name, None, opts)
        labels = args.naming.labels()
        network = docker.Network(
            f"{name}-bridge",
            name=args.naming.network,
            driver="bridge",
            ipam_configs=[
                docker.NetworkIpamConfigArgs(
                    subnet=str(args.settings.subnet), gateway=args.settings.gateway_address
                )
            ],
            labels=[
                docker.NetworkLabelArgs(label=key, value=labels[key]) for key in sorted(labels)
            ],
            # A fixed name cannot exist twice, so a replacement must delete the old one first.
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )
        self.name = network.name
        self.subnet = pulumi.Output.from_input(str(args.settings.subnet))
        self.register_outputs({"name": self.name, "subnet": self.subnet})
