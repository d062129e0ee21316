import os
import stat

import pytest

from bot.errors import UserError
from bot.store import Store


def test_roundtrip_and_owner_only(medbot_home):
    st = Store(medbot_home)
    cid = st.create(user="alice", role="clinician")
    assert st.append(cid, "user", "hello") == 0
    assert st.append(cid, "assistant", "hi", {"citations": [1]}) == 1
    conv = Store(medbot_home).get(cid, "alice")  # a new process sees the same data
    assert [(m.role, m.content) for m in conv.messages] == [("user", "hello"), ("assistant", "hi")]
    assert conv.messages[1].meta == {"citations": [1]} and conv.title == "hello"
    assert stat.S_IMODE(os.stat(st.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(medbot_home).st_mode) == 0o700


def test_users_see_only_their_conversations(medbot_home):
    st = Store(medbot_home)
    cid = st.create(user="alice")
    st.create(user="bob")
    assert [r["id"] for r in st.list("alice")] == [cid]
    with pytest.raises(UserError):
        st.get(cid, "bob")
    with pytest.raises(UserError):
        st.delete(cid, "bob")


def test_client_id_makes_retries_idempotent(medbot_home):
    st = Store(medbot_home)
    cid = st.create()
    assert st.append(cid, "user", "q", client_id="m1") == 0
    assert st.append(cid, "user", "q", client_id="m1") == 0
    assert len(st.get(cid).messages) == 1


def test_delete_removes_uploads(medbot_home):
    st = Store(medbot_home)
    cid = st.create()
    up = st.uploads_dir(cid) / "note.txt"
    up.write_text("x")
    st.add_upload(cid, up, "notes")
    st.delete(cid)
    assert not up.exists() and st.list() == []


def test_purge_respects_retention(medbot_home):
    st = Store(medbot_home)
    old, new = st.create(), st.create()
    st._conn.execute("UPDATE conversations SET updated = updated - 40*86400 WHERE id=?", (old,))
    assert st.purge_older_than(30) == 1
    assert [r["id"] for r in st.list()] == [new]


def test_purge_removes_old_self_check_results_of_that_user_only(medbot_home):
    st = Store(medbot_home)
    a_old = st.save_selfcheck("ann", "phq9", {"1": 1}, 1, "minimal")
    a_new = st.save_selfcheck("ann", "phq9", {"1": 2}, 2, "minimal")
    b_old = st.save_selfcheck("bob", "gad7", {"1": 1}, 1, "minimal")
    st._conn.execute("UPDATE selfchecks SET created = created - 40*86400 WHERE id IN (?, ?)", (a_old, b_old))
    assert st.purge_selfchecks_older_than(30, "ann") == 1
    assert [r["id"] for r in st.selfchecks("ann")] == [a_new]
    assert [r["id"] for r in st.selfchecks("bob")] == [b_old]
