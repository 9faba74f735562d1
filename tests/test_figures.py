"""``--figures``: plots as PNG, SVG or PDF, valid, byte-stable, linked from report.md, none left stale."""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from conftest import BASELINE

from sim.cli import main, reproducing_command
from sim.experiment.plots import figure_lines

FIGURES = ("forest", "trajectories")


def write_experiment(folder: Path) -> Path:
    """A one-year baseline against random promotion, 2 replications of 60 people: runs of a second or less."""
    (folder / "small.yaml").write_text(f"extends: {BASELINE}\nname: small\nwarmup_months: 2\nyears: 1\n")
    (folder / "random.yaml").write_text("extends: small.yaml\nname: random\npolicy: {name: random}\n")
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump({"name": "figs", "seed": 7, "replications": 2, "headcount": 60,
                                    "metrics": ["promotions", "misread_rate"],
                                    "scenarios": {"baseline": "small.yaml", "variants": ["random.yaml"]}}))
    return path


def figure_files(out: Path) -> dict[str, bytes]:
    """The plots in ``out``, by file name."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.stem in FIGURES}


def test_svg_and_pdf_are_valid_byte_identical_and_what_report_md_shows(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A journal wants vector figures; the archive's checksums want the same bytes from the same runs.

    Matplotlib writes the time into SVG and PDF files and salts SVG ids at random, so each build differed.
    """
    path = write_experiment(tmp_path)
    builds = [tmp_path / "one", tmp_path / "two"]
    for out in builds:
        assert main(["experiment", "run", str(path), "--out", str(out), "--workers", "1", "--quiet",
                     "--figures", "svg,pdf"]) == 0
    one, two = (figure_files(out) for out in builds)
    assert sorted(one) == ["forest.pdf", "forest.svg", "trajectories.pdf", "trajectories.svg"]
    assert one == two  # byte for byte
    for name, data in one.items():
        if name.endswith(".svg"):
            assert ET.fromstring(data).tag == "{http://www.w3.org/2000/svg}svg", name
        else:
            assert data.startswith(b"%PDF-"), name
    out = builds[0]
    assert json.loads((out / "metadata.json").read_text())["command"].endswith("--figures svg,pdf")
    report = (out / "report.md").read_text()
    assert "![forest plot of effects](forest.svg)" in report and "Also as [PDF](forest.pdf)." in report
    assert "![metric trajectories](trajectories.svg)" in report and ".png" not in report

    # PDF alone: linked (markdown shows no PDF), and the SVGs of the report before are gone, not left looking current.
    (out / "forest-mine.svg").write_text("<svg/>")  # a reader's own file, kept
    capsys.readouterr()
    assert main(["experiment", "report", str(out), "--quiet", "--figures", "pdf"]) == 0
    assert sorted(figure_files(out)) == ["forest.pdf", "trajectories.pdf"]
    assert (out / "forest-mine.svg").exists()
    wrote = f"wrote {out / 'effects.csv'}, {out / 'means.csv'}, {out / 'trajectories.pdf'}, {out / 'forest.pdf'}, "
    assert wrote in capsys.readouterr().out
    report = (out / "report.md").read_text()
    assert "Forest plot of effects: [PDF](forest.pdf) (markdown cannot show a PDF here" in report
    assert "![" not in report
    assert f"- Report made by: `promosim experiment report {out} --figures pdf`" in report

    # An against report keeps the formats it was asked for when the folder's own report is rebuilt,
    # and the folder's own report, rebuilt without --figures, takes its command's (svg,pdf) again.
    assert main(["experiment", "report", str(out), "--quiet", "--against", "random", "--figures", "png"]) == 0
    assert main(["experiment", "report", str(out), "--quiet"]) == 0
    assert figure_files(out) == two
    assert "Report made by" not in (out / "report.md").read_text()
    assert sorted(figure_files(out / "against-random")) == ["forest.png", "trajectories.png"]
    against = (out / "against-random" / "report.md").read_text()
    assert f"Report made by: `promosim experiment report {out} --against random --figures png`" in against
    # ... which only --figures png can give, not the command's default.
    assert main(["experiment", "report", str(out), "--quiet", "--figures", "png"]) == 0
    assert f"Report made by: `promosim experiment report {out} --figures png`" in (out / "report.md").read_text()


def test_figures_none_writes_every_table_and_report_without_plots(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A scripted sweep wants effects.csv, not plots that cost more than its small runs; it can draw them later."""
    out = tmp_path / "out"
    assert main(["experiment", "run", str(write_experiment(tmp_path)), "--out", str(out), "--workers", "1",
                 "--quiet"]) == 0
    assert sorted(figure_files(out)) == ["forest.png", "trajectories.png"]
    capsys.readouterr()
    # Rebuilt without plots: the PNGs of the report before are removed, not left looking current.
    assert main(["experiment", "report", str(out), "--quiet", "--figures", "none"]) == 0
    assert figure_files(out) == {}
    assert capsys.readouterr().out == f"wrote {out / 'effects.csv'}, {out / 'means.csv'}, {out / 'report.md'}\n"
    report = (out / "report.md").read_text()
    assert ("No plot drawn: no plot format was asked for (`--figures none`, given to this command or kept from "
            "the command that made the folder's runs). `promosim experiment report FOLDER --figures png` (FOLDER: this "
            "report's folder; or svg, pdf) draws them") in report and ".png" not in report
    assert f"- Report made by: `promosim experiment report {out} --figures none`" in report
    assert (out / "effects.csv").stat().st_size and (out / "means.csv").stat().st_size

    # A command run with --figures none records it, and its folder's report is rebuilt without plots again.
    again = tmp_path / "again"
    assert main(["experiment", "run", str(tmp_path / "exp.yaml"), "--out", str(again), "--workers", "1", "--quiet",
                 "--figures", "none"]) == 0
    assert json.loads((again / "metadata.json").read_text())["command"].endswith("--figures none")
    assert main(["experiment", "report", str(again), "--quiet", "--against", "random"]) == 0
    assert main(["experiment", "report", str(again), "--quiet"]) == 0
    assert figure_files(again) == {} and figure_files(again / "against-random") == {}
    assert "Report made by" not in (again / "report.md").read_text()
    # ... with the command that draws an against report's plots, not one run on its own folder (which holds no runs)
    assert ("`promosim experiment report FOLDER --against random --figures png` (FOLDER: the comparison's folder, one "
            "up from this report's;") in (again / "against-random" / "report.md").read_text()
    # Drawn later from the stored runs, as report.md says.
    assert main(["experiment", "report", str(again), "--quiet", "--figures", "png"]) == 0
    assert sorted(figure_files(again)) == ["forest.png", "trajectories.png"]
    assert "No plot drawn" not in (again / "report.md").read_text()


@pytest.mark.parametrize(("prog", "command"), [
    ("promosim compare", ["compare", "baseline", "--levers", "mentoring", "--out", "OUT"]),
    ("promosim experiment", ["experiment", "run", "experiments/interventions.yaml", "--out", "OUT"]),
    ("promosim experiment", ["experiment", "sensitivity", "experiments/sensitivity.yaml", "--out", "OUT"]),
    ("promosim experiment", ["experiment", "report", "OUT"]),
])
@pytest.mark.parametrize(("value", "said"), [
    ("jpg", "unknown format 'jpg'; choose png, svg, pdf, or several separated by commas, e.g. png,pdf, or none"),
    ("svg,eps", "unknown format 'eps'; choose png, svg, pdf, or several separated by commas, e.g. png,pdf, or none"),
    (",", "expected png, svg, pdf, or several separated by commas, e.g. png,pdf, or none"),
    ("pdf,PDF", "'pdf' is listed twice; list each format once"),
    ("png,none", "'none' draws no plot, so it goes alone, not with other formats"),
    ("none,NONE", "'none' is listed twice; list each format once"),
])
def test_a_bad_figures_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], prog: str,
                                               command: list[str], value: str, said: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as stopped:
        main([*(str(out) if word == "OUT" else word for word in command), "--figures", value])
    assert stopped.value.code == 2
    if command[0] == "experiment":
        prog += f" {command[1]}"
    assert capsys.readouterr().err == f"{prog}: error: argument --figures: {said} (see --help)\n"
    assert not out.exists()


def test_the_recorded_command_names_figures_other_than_the_default() -> None:
    def command(figures: tuple[str, ...], default: tuple[str, ...] = ("png",)) -> str:
        return reproducing_command("experiment", "report", "f", args=argparse.Namespace(figures=figures),
                                   figures_default=default)

    assert command(("png",)) == "promosim experiment report f"
    assert command(("svg", "pdf")) == "promosim experiment report f --figures svg,pdf"
    # experiment report's default is the folder's own formats: PNG must then be asked for by name.
    assert command(("png",), default=("pdf",)) == "promosim experiment report f --figures png"
    assert command(("pdf",), default=("pdf",)) == "promosim experiment report f"
    assert command(()) == "promosim experiment report f --figures none"
    assert command((), default=()) == "promosim experiment report f"


def test_report_md_embeds_svg_first_then_png_and_links_the_rest() -> None:
    def lines(*names: str) -> list[str]:
        return figure_lines("forest plot", [Path("out") / name for name in names])

    assert lines("forest.png") == ["![forest plot](forest.png)", ""]
    assert lines("forest.png", "forest.svg") == ["![forest plot](forest.svg)", "", "Also as [PNG](forest.png).", ""]
    assert lines("forest.pdf", "forest.png")[:3] == ["![forest plot](forest.png)", "", "Also as [PDF](forest.pdf)."]
    assert lines("forest.pdf")[0].startswith("Forest plot: [PDF](forest.pdf) (markdown cannot show a PDF here")
    assert lines() == []
