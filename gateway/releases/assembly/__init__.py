"""Packet assembly: a durable DBOS workflow per release and packet version (DESIGN.md, step 4).

``start_assembly`` enqueues it; ``sweep_assembling`` re-enqueues releases left in ``assembling``;
``plan`` derives the redaction plan; ``identity`` is the page identity check (QA-01).
"""

from __future__ import annotations

from gateway.releases.assembly.deps import AssemblyDeps, close, install
from gateway.releases.assembly.repository import workflow_id
from gateway.releases.assembly.start import start_after_commit, start_assembly, sweep_assembling
from gateway.releases.assembly.workflow import WORKFLOW_NAME, assemble_packet_workflow

__all__ = [
    "WORKFLOW_NAME",
    "AssemblyDeps",
    "assemble_packet_workflow",
    "close",
    "install",
    "start_after_commit",
    "start_assembly",
    "sweep_assembling",
    "workflow_id",
]
