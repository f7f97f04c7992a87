"""Terraform ``moved`` blocks for constructs whose id changed, so a deployment keeps its resources.

A construct id is part of every Terraform address below it: renaming one
makes Terraform destroy and re-create everything under it (a log group loses
its events, a bucket its objects). When an id has to change, say where it
was: :func:`move_from_previous_id` writes one ``moved`` block per resource,
from the address it had under the previous id to the one it has now.
Terraform applies a block only while its ``from`` address is in the state,
so the blocks are harmless on a new deployment and after the first apply.

Example (this project's pipeline stack, whose archives were numbered)::

    archive = LogArchive(stack, f"archive-{stream}", stream_name=stream, bucket_name=bucket)
    move_from_previous_id(archive, f"archive-{index}")
"""

from __future__ import annotations

from cdktf import TerraformDataSource, TerraformResource, TerraformStack

from constructs import Construct


def logical_id_at(scope: Construct, path: str) -> str:
    """The logical id CDKTF gives an element at ``path`` below ``scope`` (``a/b``: child ``a``, its child ``b``).

    Asked of CDKTF itself (``TerraformStack.get_logical_id``) on stand-in
    constructs, removed again at once: nothing is added to the stack.
    """
    stack = TerraformStack.of(scope)
    first, *rest = path.split("/")
    probe = Construct(scope, first)
    try:
        leaf = probe
        for part in rest:
            leaf = Construct(leaf, part)
        return stack.get_logical_id(leaf.node)
    finally:
        scope.node.try_remove_child(first)


def move_from_previous_id(construct: Construct, previous_id: str) -> tuple[tuple[str, str], ...]:
    """Keep the state of every resource under ``construct`` whose id was ``previous_id`` (same parent).

    Adds a ``moved`` block per managed resource below ``construct`` (data
    sources hold no state and need none).

    Args:
        construct: The construct at its new id, with its resources declared.
        previous_id: The id it had before.

    Returns:
        The ``(from, to)`` addresses moved.
    """
    parent = construct.node.scope
    assert isinstance(parent, Construct), "a construct with an id has a parent"
    stack = TerraformStack.of(construct)
    prefix = construct.node.path + "/"
    moves: list[tuple[str, str]] = []
    for element in construct.node.find_all():
        if not isinstance(element, TerraformResource) or isinstance(element, TerraformDataSource):
            continue
        below = element.node.path[len(prefix) :] if element is not construct else ""
        old = logical_id_at(parent, "/".join(part for part in (previous_id, below) if part))
        source = f"{element.terraform_resource_type}.{old}"
        element.move_from_id(source)
        moves.append((source, f"{element.terraform_resource_type}.{stack.get_logical_id(element)}"))
    return tuple(moves)
