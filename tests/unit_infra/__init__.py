"""Unit tests of the Pulumi program (infra/) and policy pack (policy/), under mocks."""
