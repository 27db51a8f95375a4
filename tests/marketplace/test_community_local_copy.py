"""A process keeps its own copy of a visitor's community, under the communities version."""

from unittest import mock

import pytest
from django.core.cache import cache

from marketplace import community as community_module
from marketplace.community import _community

pytestmark = pytest.mark.django_db


def test_a_second_read_asks_no_cache_and_a_saved_name_shows_at_once(community):
    community_module._local.clear()
    assert _community(community.pk).name == "望京花园"
    with mock.patch.object(cache, "get", wraps=cache.get) as get:
        again = _community(community.pk)
    # Only the version is read: the community itself is this process's copy.
    assert [c.args[0] for c in get.call_args_list] == [community_module.COMMUNITIES_VERSION_KEY]
    assert again.name == "望京花园"
    community.name = "望京新园"
    community.save()
    assert _community(community.pk).name == "望京新园"


def test_the_process_copy_is_kept_for_a_while_only(community, monkeypatch):
    community_module._local.clear()
    _community(community.pk)
    # Changed with no signal, and the shared copy gone (as after a cache flush that lands on
    # the same version): the process's copy still answers, for LOCAL_SECONDS at most.
    type(community).objects.filter(pk=community.pk).update(name="无信号改名")
    version = cache.get(community_module.COMMUNITIES_VERSION_KEY, 0)
    cache.delete(f"linli:community:{community.pk}:v{version}")
    assert _community(community.pk).name == "望京花园"
    monkeypatch.setattr(community_module, "LOCAL_SECONDS", 0)
    assert _community(community.pk).name == "无信号改名"
