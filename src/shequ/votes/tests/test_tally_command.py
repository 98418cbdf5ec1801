"""`shequ tally FILE.csv --kind ordinary|special [--json]`: the human and JSON output on good files, and a Chinese
error naming the row (header = row 1) with a non-zero exit for each kind of bad file. No database."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from shequ.votes.management.commands.tally import Command

HEADER = "dwelling,owner,area,vote\n"
# 10 owners, 10000 m²: p1 (3 dwellings, 3000 m²), the developer's stock (2 dwellings, 2000 m²), the couple p2+p3
# (2 dwellings, 1130 m²) and 7 other owners. 7 owners with 7130 m² take part; 4 owners with 4960.50 m² agree.
GOOD = HEADER + (
    "101,p1,1000,同意\n102,p1,1000,同意\n103,p1,1000,同意\n"
    "201,developer,500,反对\n202,developer,500,反对\n"
    "301,p2|p3,565.25,弃权\n302,p2|p3,564.75,弃权\n"
    "401,p4,1000.50,同意\n402,p5,500,同意\n403,p6,460,同意\n404,p7,1070,\n405,p8,900,\n406,p9,900,\n407,p10,39.5,反对\n"
)


def write(tmp_path, text: str, name: str = "votes.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path, *options: str) -> str:
    out = io.StringIO()
    call_command("tally", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_json_output_has_exactly_the_documented_keys_and_reduced_fractions(tmp_path):
    """Participation 7130/10000 m² and 7 of 10 owners; approval 3000+1000.50+500+460 = 4960.50 of 7130 m² and 4 of
    7 owners, both more than half: valid and passed as an ordinary item."""
    result = json.loads(run(write(tmp_path, GOOD), "--kind", "ordinary", "--json"))
    assert result == {
        "valid": True,
        "passed": True,
        "participation": {"area": "713/1000", "owners": "7/10"},
        "approval": {"area": "9921/14260", "owners": "4/7"},
    }


def test_json_special_item_fails_below_three_quarters(tmp_path):
    """The same file as a special item: 4/7 of the owners is below 3/4, so valid but not passed."""
    result = json.loads(run(write(tmp_path, GOOD), "--kind", "special", "--json"))
    assert (result["valid"], result["passed"]) == (True, False)


def test_json_when_nobody_took_part(tmp_path):
    """No votes: participation and approval are "0/1", invalid and not passed."""
    result = json.loads(run(write(tmp_path, HEADER + "1,a,10,\n2,b,20,\n"), "--kind", "ordinary", "--json"))
    assert result == {
        "valid": False,
        "passed": False,
        "participation": {"area": "0/1", "owners": "0/1"},
        "approval": {"area": "0/1", "owners": "0/1"},
    }


def test_json_everyone_agrees_writes_one_as_1_over_1(tmp_path):
    """Unanimity: every share is "1/1"."""
    result = json.loads(run(write(tmp_path, HEADER + "1,a,10.5,同意\n2,b,20,同意\n"), "--kind", "special", "--json"))
    assert result["participation"] == {"area": "1/1", "owners": "1/1"}
    assert result["approval"] == {"area": "1/1", "owners": "1/1"}
    assert result["passed"] is True


def test_invalid_vote_is_never_passed(tmp_path):
    """2 of 4 owners take part and both agree: invalid, so passed is false."""
    text = HEADER + "1,a,10,同意\n2,b,10,同意\n3,c,10,\n4,d,10,\n"
    assert json.loads(run(write(tmp_path, text), "--kind", "ordinary", "--json"))["passed"] is False


def test_human_output_lines(tmp_path):
    """The human output gives the four shares with raw fractions and one-decimal percentages, the verdicts, then
    the explanation sentences."""
    lines = run(write(tmp_path, GOOD), "--kind", "ordinary").splitlines()
    assert lines[:6] == [
        "参与表决面积：7130/10000（71.3%），达到 2/3：是",
        "参与表决人数：7/10（70.0%），达到 2/3：是",
        "同意面积：4960.5/7130（69.6%），过半数：是",
        "同意人数：4/7（57.1%），过半数：是",
        "表决有效：是",
        "事项通过：是",
    ]
    assert lines[6] == "参与表决的专有部分面积占总面积 71.3%（7130㎡/10000㎡），达到 2/3。"
    assert lines[-1] == "事项通过。"


def test_human_output_special_item(tmp_path):
    """For a special item the approval lines name the 3/4 rule."""
    lines = run(write(tmp_path, GOOD), "--kind", "special").splitlines()
    assert lines[2:6] == [
        "同意面积：4960.5/7130（69.6%），达到 3/4：否",
        "同意人数：4/7（57.1%），达到 3/4：否",
        "表决有效：是",
        "事项通过：否",
    ]


def test_bom_is_accepted(tmp_path):
    """A UTF-8 file starting with a BOM is read like one without."""
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert json.loads(run(path, "--kind", "ordinary", "--json"))["passed"] is True


BAD = [
    ("dwelling,owner,area\n1,a,10\n", "第 1 行：表头缺少列 vote（须有 dwelling,owner,area,vote）"),
    ("", "第 1 行：文件为空，缺少表头"),
    (HEADER, "第 2 行：文件没有住宅行"),
    (HEADER + "1,a,10,同意\n2,b,,同意\n", "第 3 行：面积为空"),
    (HEADER + "1,a,10,同意\n2,b,-5,同意\n", "第 3 行：面积必须大于 0，而不是 -5"),
    (HEADER + "1,a,0,同意\n", "第 2 行：面积必须大于 0，而不是 0"),
    (HEADER + "1,a,10.005,同意\n", "第 2 行：面积“10.005”超过 2 位小数"),
    (HEADER + "1,a,十,同意\n", "第 2 行：面积“十”不是数字"),
    (HEADER + "1,a,NaN,同意\n", "第 2 行：面积“NaN”不是数字"),
    (HEADER + "1,a,10,同意\n2,b,10,赞成\n", "第 3 行：表决意见“赞成”无法识别（应为 同意、反对、弃权 或留空）"),
    (HEADER + "1,a,10,同意\n2,b,10,同意\n1,c,10,同意\n", "第 4 行：住宅 1 重复（已见于第 2 行）"),
    (
        HEADER + "1,a,10,同意\n2,b,10,反对\n3,a,10,反对\n",
        "第 4 行：业主 a 的表决意见与第 2 行不一致（同一业主只能有一个意见）",
    ),
    (
        HEADER + "1,a,10,同意\n2,a,10,\n",
        "第 3 行：业主 a 的表决意见与第 2 行不一致（同一业主只能有一个意见）",
    ),
    (HEADER + "1,a,10\n", "第 2 行：列数不足（表头有 4 列）"),
    (HEADER + ",a,10,同意\n", "第 2 行：住宅（dwelling）为空"),
    (HEADER + "1,,10,同意\n", "第 2 行：业主（owner）为空"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_file_is_a_command_error_naming_the_row(tmp_path, text, message):
    """Each bad file raises CommandError with the Chinese message naming the row."""
    with pytest.raises(CommandError) as caught:
        run(write(tmp_path, text), "--kind", "ordinary")
    assert str(caught.value) == message


def test_file_not_utf8_names_the_row(tmp_path):
    """A GBK-encoded row is reported on its row."""
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "1,a,10,同意\n").encode() + "2,b,10,反对\n".encode("gbk"))
    with pytest.raises(CommandError) as caught:
        run(path, "--kind", "ordinary")
    assert str(caught.value) == "第 3 行：文件不是 UTF-8 编码"


def test_missing_file_is_a_command_error(tmp_path):
    """A file that cannot be read is refused in Chinese."""
    with pytest.raises(CommandError, match="无法读取文件"):
        run(tmp_path / "absent.csv", "--kind", "ordinary")


def test_kind_is_required_and_limited_to_ordinary_and_special(tmp_path):
    """--kind must be given and be ordinary or special."""
    path = write(tmp_path, GOOD)
    with pytest.raises(CommandError):
        run(path)
    with pytest.raises(CommandError):
        run(path, "--kind", "election")


def test_error_goes_to_stderr_with_a_non_zero_exit(tmp_path, capsys):
    """Run as from the command line: the message is on stderr, nothing on stdout, and the exit code is 1."""
    path = write(tmp_path, HEADER + "1,a,10,同意\n2,b,abc,同意\n")
    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["shequ", "tally", str(path), "--kind", "ordinary"])
    assert caught.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "CommandError: 第 3 行：面积“abc”不是数字\n"
