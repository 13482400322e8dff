"""Several Chinese messages shown as one: one full stop at the end, never "。；"."""

from jiceng.core.errors import join_messages


def test_messages_join_into_one_sentence():
    assert join_messages(["“姓名”为必填项。", "身份证号应为 18 位，当前为 5 位。"]) == (
        "“姓名”为必填项；身份证号应为 18 位，当前为 5 位。"
    )
    assert join_messages(["只有一条"]) == "只有一条。"
    assert join_messages(["甲；", "", "  乙。 "]) == "甲；乙。"
    assert join_messages([]) == ""
