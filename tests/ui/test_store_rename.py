"""Renaming a stored conversation: the title changes for its owner only, nothing else does."""

import pytest

from bot.errors import UserError
from bot.store import Store


def test_rename_keeps_messages_and_order(medbot_home):
    st = Store(medbot_home)
    first = st.create(user="alice")
    st.append(first, "user", "What helps a tension headache?")
    st.append(first, "assistant", "Rest and fluids.", {"citations": [{"id": "x"}]})
    second = st.create(user="alice")
    st.append(second, "user", "Later question")
    before = st.get(first, "alice")
    assert st.rename(first, "  Headache\n notes  ", "alice") == "Headache notes"
    after = Store(medbot_home).get(first, "alice")  # a new process sees it
    assert after.title == "Headache notes"
    assert [(m.role, m.content, m.meta) for m in after.messages] == [(m.role, m.content, m.meta) for m in before.messages]
    assert after.updated == before.updated  # renaming does not move it up the list
    assert [r["id"] for r in st.list("alice")] == [second, first]
    st.append(first, "user", "and at night?")  # a later message keeps the chosen title
    assert st.get(first, "alice").title == "Headache notes"
    assert len(st.rename(first, "x" * 200, "alice")) == 80


def test_rename_refuses_empty_titles_and_other_users(medbot_home):
    st = Store(medbot_home)
    cid = st.create(user="alice", title="mine")
    with pytest.raises(UserError, match="needs a title"):
        st.rename(cid, " \n ", "alice")
    with pytest.raises(UserError, match="no conversation"):
        st.rename(cid, "stolen", "bob")
    with pytest.raises(UserError, match="no conversation"):
        st.rename("nope", "title", "alice")
    assert st.get(cid, "alice").title == "mine"
