"""Uploads and workbooks within limits: real archives built byte by byte (issue 11).

Bombs, lying headers, encrypted and damaged members, unsafe paths and
ambiguous archives are refused with listed problems; nothing an upload
unpacks stays in the temporary folder; memory stays bounded (measured in a
child process with ru_maxrss).
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.paths import PENZA, ROOT

from allocator import cli
from allocator.archive import Limits, check_workbook, count_members
from allocator.messages import InputError
from allocator.schema import TABLES
from allocator.template import template_workbook

ROUND_FILES = [f"{t}.csv" for t in TABLES if (PENZA / f"{t}.csv").exists()] + ["scenario.toml"]
BOMB_MB = 200


# ------------------------------------------------------------------ builders


def round_zip(prefixes=("round/",), method=zipfile.ZIP_DEFLATED, extra: dict | None = None) -> bytes:
    """The bundled Penza round under each prefix, plus ``extra`` {name: bytes}."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for prefix in prefixes:
            for name in ROUND_FILES:
                zf.write(PENZA / name, prefix + name)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def bomb_zip(path: Path, mb: int = BOMB_MB) -> Path:
    """``mb`` MiB of zeros in one deflated member (about 200 KB on disk)."""
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, \
            zf.open("round/regions.csv", "w", force_zip64=True) as out:
        for _ in range(mb):
            out.write(chunk)
    return path


def headers(data: bytes):
    """(local header offset, central header offset) of every member, found by signature."""
    central = []
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        (local,) = struct.unpack_from("<I", data, pos + 42)
        central.append((local, pos))
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        pos = data.find(b"PK\x01\x02", pos + 46 + name_len + extra_len + comment_len)
    return central


def patched(data: bytes, edits) -> bytes:
    """``data`` with (offset, struct format, value) edits applied."""
    out = bytearray(data)
    for offset, fmt, value in edits:
        struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def problems_of(name: str, data: bytes, **kw):
    from ui import state

    with pytest.raises(InputError) as err:
        state.load_upload(name, data, **kw)
    return err.value.problems


def child_peak(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints a JSON object (peak memory among it)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


MEASURE = """
import json, resource, sys
from pathlib import Path
from allocator.messages import InputError
from ui import state
from allocator import cli
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
codes = []
{body}
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"codes": codes, "grown_mb": (after - before) / 1024, "peak_mb": after / 1024}}))
"""


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return bomb_zip(tmp_path_factory.mktemp("bomb") / "bomb.zip")


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """tempfile's folder relocated to a private one, so what an upload leaves is visible."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


# ------------------------------------------------------------------ limits


def test_defaults_leave_a_wide_margin_for_the_template_and_the_penza_round(tmp_path):
    book = tmp_path / "template.xlsx"
    book.write_bytes(template_workbook())
    assert check_workbook(book) == []
    for data in (template_workbook(), round_zip()):
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        worst = max(i.file_size / max(i.compress_size, 1) for i in infos)
        assert worst < Limits().ratio / 10  # an order of magnitude below the bomb ratio
        assert len(infos) < Limits().members / 10


def test_limits_come_from_the_environment_and_a_bad_value_is_a_problem():
    limits = Limits.from_env({"ALLOCATOR_MAX_UPLOAD_MB": "0.01", "ALLOCATOR_MAX_MEMBERS": "7"})
    assert (limits.upload_mb, limits.members, limits.ratio) == (0.01, 7, Limits().ratio)
    with pytest.raises(InputError) as err:
        Limits.from_env({"ALLOCATOR_MAX_RATIO": "lots", "ALLOCATOR_MAX_MEMBERS": "0"})
    assert [(p.file, p.code) for p in err.value.problems] == [
        ("ALLOCATOR_MAX_RATIO", "limit_setting_invalid"), ("ALLOCATOR_MAX_MEMBERS", "limit_setting_invalid")]


def test_an_upload_above_the_size_limit_is_refused_before_it_is_opened(monkeypatch):
    data = round_zip()
    monkeypatch.setenv("ALLOCATOR_MAX_UPLOAD_MB", "0.001")  # 1 KiB; the round zip is about 8 KiB
    (problem,) = problems_of("big.zip", data)
    assert (problem.file, problem.code) == ("big.zip", "upload_too_large")
    assert "ALLOCATOR_MAX_UPLOAD_MB" in problem.message and "МБ" in problem.message_ru


def test_the_streamlit_server_refuses_files_above_the_upload_limit():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == Limits().upload_mb


def test_zip_bomb_is_refused_before_decompression_and_memory_stays_bounded(bomb, private_tmp):
    assert bomb.stat().st_size < 1024 * 1024  # 200 MiB of zeros in under 1 MB
    (problem,) = problems_of("bomb.zip", bomb.read_bytes())
    assert (problem.file, problem.code) == ("bomb.zip/round/regions.csv", "zip_member_ratio")
    assert list(private_tmp.iterdir()) == []
    result = child_peak(MEASURE.format(body=f"""
try:
    state.load_upload("bomb.zip", Path({str(bomb)!r}).read_bytes())
except InputError as exc:
    codes = [p.code for p in exc.problems]
"""))
    assert result["codes"] == ["zip_member_ratio"]
    assert result["grown_mb"] < 32, result  # the bomb's 200 MiB never come into memory


def test_a_directory_that_lies_about_sizes_is_stopped_at_the_declared_size(bomb, tmp_path, private_tmp):
    """The central directory says 1000 bytes: zipfile stops there and its CRC check fails."""
    data = bomb.read_bytes()
    (_local, central), = headers(data)
    assert struct.unpack_from("<I", data, central + 24)[0] == BOMB_MB * 1024 * 1024  # the true size
    lie = patched(data, [(central + 24, "<I", 1000)])  # readers take sizes from the central directory
    info = zipfile.ZipFile(io.BytesIO(lie)).infolist()[0]
    assert info.file_size == 1000 and info.compress_size < 1024 * 1024  # the lie is what is declared
    (problem,) = problems_of("lie.zip", lie)
    assert (problem.file, problem.code) == ("lie.zip/round/regions.csv", "zip_member_corrupt")
    assert "CRC" in problem.message
    assert list(private_tmp.iterdir()) == []
    path = tmp_path / "lie.zip"
    path.write_bytes(lie)
    result = child_peak(MEASURE.format(body=f"""
try:
    state.load_upload("lie.zip", Path({str(path)!r}).read_bytes(), limits=state.Limits(ratio=1e9))
except InputError as exc:
    codes = [p.code for p in exc.problems]
"""))
    assert result["codes"] == ["zip_member_corrupt"]
    assert result["grown_mb"] < 32, result


def test_too_many_members_are_refused_from_the_directory(private_tmp):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(Limits().members + 1):
            zf.writestr(f"round/notes/{i}.txt", b"")
    assert count_members(io.BytesIO(buf.getvalue()), 10_000) == Limits().members + 1
    (problem,) = problems_of("many.zip", buf.getvalue())
    assert (problem.file, problem.code) == ("many.zip", "zip_too_many_members")
    assert list(private_tmp.iterdir()) == []


def test_total_unpacked_size_is_limited(private_tmp):
    data = round_zip()
    (problem,) = problems_of("round.zip", data, limits=Limits(unpacked_mb=0.01))
    assert (problem.file, problem.code) == ("round.zip", "zip_too_large")
    assert list(private_tmp.iterdir()) == []


# ------------------------------------------------------------------ damaged members


def test_an_encrypted_member_is_a_problem_naming_it(private_tmp):
    data = round_zip()
    local, central = headers(data)[2]  # the third member
    flags_local = struct.unpack_from("<H", data, local + 6)[0]
    flags_central = struct.unpack_from("<H", data, central + 8)[0]
    data = patched(data, [(local + 6, "<H", flags_local | 1), (central + 8, "<H", flags_central | 1)])
    (problem,) = problems_of("enc.zip", data)
    assert (problem.file, problem.code) == (f"enc.zip/round/{ROUND_FILES[2]}", "zip_member_encrypted")
    assert list(private_tmp.iterdir()) == []


def test_flipped_compressed_bytes_are_a_problem_not_a_traceback(private_tmp):
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        data = round_zip(method=method)
        local, _ = headers(data)[3]
        name_len, extra_len = struct.unpack_from("<HH", data, local + 26)
        start = local + 30 + name_len + extra_len
        broken = bytearray(data)
        for i in range(start + 10, start + 20):
            broken[i] ^= 0xFF
        (problem,) = problems_of("crc.zip", bytes(broken))
        assert (problem.file, problem.code) == (f"crc.zip/round/{ROUND_FILES[3]}", "zip_member_corrupt")
    assert list(private_tmp.iterdir()) == []


def test_an_unsupported_compression_method_is_a_problem(private_tmp):
    data = round_zip(method=zipfile.ZIP_BZIP2)  # read by zipfile, but without a bound per step
    problems = problems_of("bz.zip", data)
    assert {p.code for p in problems} == {"zip_member_method"}
    assert {p.file for p in problems} == {f"bz.zip/round/{n}" for n in ROUND_FILES}
    data = round_zip()
    local, central = headers(data)[0]
    (problem,) = problems_of("m99.zip", patched(data, [(local + 8, "<H", 99), (central + 10, "<H", 99)]))
    assert (problem.code, problem.file) == ("zip_member_method", f"m99.zip/round/{ROUND_FILES[0]}")
    assert list(private_tmp.iterdir()) == []


def test_a_truncated_archive_is_a_problem(private_tmp):
    data = round_zip()
    for cut in (len(data) // 2, len(data) - 10):
        (problem,) = problems_of("cut.zip", data[:cut])
        assert (problem.file, problem.code) == ("cut.zip", "zip_unreadable")
    assert list(private_tmp.iterdir()) == []


# ------------------------------------------------------------------ paths and ambiguity


def test_two_round_folders_are_ambiguous_and_both_are_named(private_tmp):
    (problem,) = problems_of("two.zip", round_zip(prefixes=("round/", "round_old/")))
    assert problem.code == "zip_several_rounds"
    assert "round/" in problem.message and "round_old/" in problem.message
    assert list(private_tmp.iterdir()) == []


def test_two_workbooks_or_a_workbook_beside_csv_files_are_ambiguous(private_tmp):
    book = template_workbook()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.xlsx", book)
        zf.writestr("b/b.xlsx", book)
        zf.writestr("~$a.xlsx", b"lock")  # Excel's lock file is not a workbook
    (problem,) = problems_of("books.zip", buf.getvalue())
    assert problem.code == "zip_several_rounds" and "a.xlsx" in problem.message and "b/b.xlsx" in problem.message
    assert "~$" not in problem.message
    (problem,) = problems_of("mixed.zip", round_zip(extra={"round.xlsx": book}))
    assert problem.code == "zip_several_rounds" and "round.xlsx" in problem.message and "round/" in problem.message


def test_unsafe_member_paths_are_listed_not_skipped(private_tmp):
    link = zipfile.ZipInfo("round/roads.csv")
    link.create_system = 3
    link.external_attr = (0o120777 << 16)
    extra = {"../evil.csv": b"x", "/etc/cron.d/evil": b"x", "C:/evil.csv": b"x", "round/a/../../../up.csv": b"x"}
    data = round_zip(extra=extra)
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr(link, "/etc/passwd")
        zf.writestr("ROUND/REGIONS.CSV", b"region_id\n")
    problems = problems_of("slip.zip", buf.getvalue())
    assert sorted((p.file, p.code) for p in problems) == sorted([
        ("slip.zip/../evil.csv", "zip_member_outside"),
        ("slip.zip//etc/cron.d/evil", "zip_member_absolute"),
        ("slip.zip/C:/evil.csv", "zip_member_absolute"),
        ("slip.zip/round/a/../../../up.csv", "zip_member_outside"),
        ("slip.zip/round/roads.csv", "zip_member_symlink"),
        ("slip.zip/ROUND/REGIONS.CSV", "zip_member_twice"),
    ])
    assert list(private_tmp.iterdir()) == []
    assert not (private_tmp.parent / "evil.csv").exists() and not (private_tmp.parent / "up.csv").exists()


# ------------------------------------------------------------------ what still loads, what stays


def test_penza_zipped_loads_and_nothing_stays_in_the_temporary_folder(private_tmp):
    from ui import state

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(PENZA.rglob("*")):
            if path.is_file():
                zf.write(path, "penza/" + path.relative_to(PENZA).as_posix())
        zf.writestr("__MACOSX/penza/._regions.csv", b"\x00\x05\x16\x07")  # Finder's metadata: ignored
    loaded = state.load_upload("penza.zip", buf.getvalue())
    bundled = state.load_folder(state.BUNDLED_DIR, "penza")
    assert loaded.folder is None and loaded.round.input_hash() == bundled.round.input_hash()
    assert loaded.indicators is not None and loaded.indicators.equals(bundled.indicators)  # read eagerly
    assert loaded.network_tables is not None
    assert [len(t) for t in loaded.network_tables] == [len(t) for t in bundled.network_tables]
    assert list(private_tmp.iterdir()) == []


def test_a_filled_template_uploads_and_nothing_stays(private_tmp):
    from ui import state

    data = _penza_workbook()
    loaded = state.load_upload("penza.xlsx", data)
    assert int(loaded.round.vacancies["vacancies"].sum()) == 446
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("in/penza.xlsx", data)
    assert len(state.load_upload("book.zip", zipped.getvalue()).round.graduates) == 317
    with pytest.raises(InputError):
        state.load_upload("broken.xlsx", b"PK\x03\x04 not really")
    assert list(private_tmp.iterdir()) == []


def _penza_workbook() -> bytes:
    import pandas as pd

    wb = load_workbook(io.BytesIO(template_workbook()))
    for table in TABLES:
        if not (PENZA / f"{table}.csv").exists():  # an optional table the round has not
            continue
        frame = pd.read_csv(PENZA / f"{table}.csv", dtype=str, keep_default_na=False)
        ws = wb[table]
        names = [c.value for c in ws[1]]
        for row in frame.reindex(columns=names).itertuples(index=False):
            ws.append(["" if isinstance(v, float) else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ the command line's workbooks


def _workbook_with_sheet(path: Path, sheet_xml) -> Path:
    """The template workbook with its first sheet's XML replaced (``sheet_xml`` yields bytes)."""
    source = zipfile.ZipFile(io.BytesIO(template_workbook()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with zf.open(info.filename, "w", force_zip64=True) as out:
                    for chunk in sheet_xml():
                        out.write(chunk)
            else:
                zf.writestr(info.filename, source.read(info))
    return path


def test_cli_refuses_an_xlsx_bomb_with_exit_2_and_bounded_memory(tmp_path, capsys):
    def padded():  # a real sheet, then 200 MiB of blanks inside it
        yield b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        yield b'spreadsheetml/2006/main"><sheetData>'
        for _ in range(BOMB_MB):
            yield b" " * (1024 * 1024)
        yield b"</sheetData></worksheet>"

    book = _workbook_with_sheet(tmp_path / "big.xlsx", padded)
    assert book.stat().st_size < 1024 * 1024
    assert cli.main(["validate", str(book)]) == 2
    err = capsys.readouterr().err
    assert "big.xlsx/xl/worksheets/sheet1.xml" in err and "ZIP bomb" in err
    result = child_peak(MEASURE.format(body=f"""
code = cli.main(["validate", {str(book)!r}])
codes = [code]
"""))
    assert result["codes"] == [2] and result["grown_mb"] < 32, result


def test_cli_refuses_a_workbook_whose_cells_span_the_whole_sheet(tmp_path, capsys):
    def far_cell():
        yield (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>region_id</t>'
               b'</is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
               b"</sheetData></worksheet>")

    book = _workbook_with_sheet(tmp_path / "sparse.xlsx", far_cell)
    assert book.stat().st_size < 64 * 1024
    (problem,) = check_workbook(book)
    assert (problem.file, problem.code) == ("sparse.xlsx", "workbook_too_many_cells")
    assert cli.main(["validate", str(book)]) == 2
    assert "ALLOCATOR_MAX_WORKBOOK_CELLS" in capsys.readouterr().err


def test_cli_validates_the_filled_template_within_the_limits(tmp_path, capsys):
    book = tmp_path / "penza.xlsx"
    book.write_bytes(_penza_workbook())
    assert check_workbook(book) == []
    assert cli.main(["validate", str(book)]) == 0, capsys.readouterr().err
