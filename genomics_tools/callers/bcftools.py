"""The baseline caller: `bcftools mpileup | bcftools call -mv`, behind the same protocol.

With the bcftools program installed the three steps run as a pipe; without it they run one after
the other through the bcftools inside pysam (same calls, no pipelining).
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import ClassVar

from genomics_tools.binaries import have
from genomics_tools.errors import InternalError
from genomics_tools.inputs import atomic_vcf, run_tool
from genomics_tools.regions import Region


class BcftoolsCaller:
    """bcftools multiallelic caller (`call -m`), variant sites only.

    Args:
        min_mapq: `mpileup --min-MQ`.
        min_baseq: `mpileup --min-BQ`.
    """

    name: ClassVar[str] = "bcftools"

    def __init__(self, min_mapq: int = 0, min_baseq: int = 13, **_ignored):
        self.min_mapq = min_mapq
        self.min_baseq = min_baseq

    @property
    def version(self) -> str:
        if have("bcftools"):
            proc = run_tool(["bcftools", "--version"], "bcftools --version")
            return proc.stdout.decode().splitlines()[0].strip()
        import pysam

        return f"bcftools {pysam.version.__bcftools_version__} (pysam {pysam.__version__})"

    def call(self, bam, reference, regions: list[Region], out, sample: str | None = None) -> Path:
        """See `VariantCaller.call`."""
        import pysam

        version = self.version
        with tempfile.TemporaryDirectory() as td:
            hdr = Path(td) / "extra.hdr"
            hdr.write_text(f"##source=medbot-{self.name}\n##medbot_caller=<ID={self.name},Version=\"{version}\">\n")
            region_arg = ",".join(str(r) for r in regions)
            mp = ["mpileup", "-f", str(reference), "-a", "AD,DP", "-q", str(self.min_mapq),
                  "-Q", str(self.min_baseq), "-Ou", "--threads", "1"]
            if region_arg:
                mp += ["-r", region_arg]
            mp.append(str(bam))
            call = ["call", "-mv", "-Ou"]
            with atomic_vcf(out) as tmp:
                ann = ["annotate", "-h", str(hdr), "-Oz", "-o", str(tmp)]
                if have("bcftools"):
                    _pipe(mp, call, ann)
                else:
                    _in_process(mp, call, ann, Path(td))
                pysam.tabix_index(str(tmp), preset="vcf", force=True)
        return Path(out)


def _pipe(mp: list[str], call: list[str], ann: list[str]) -> None:
    """`bcftools mpileup | bcftools call | bcftools annotate` with the installed program."""
    p1 = subprocess.Popen(["bcftools", *mp], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p2 = subprocess.Popen(["bcftools", *call], stdin=p1.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p1.stdout.close()
    p3 = subprocess.run(["bcftools", *ann], stdin=p2.stdout, capture_output=True)
    p2.stdout.close()
    err1 = p1.stderr.read().decode(errors="replace")
    err2 = p2.stderr.read().decode(errors="replace")
    rc1, rc2 = p1.wait(), p2.wait()
    for rc, err, what in ((rc1, err1, "bcftools mpileup"), (rc2, err2, "bcftools call"),
                          (p3.returncode, p3.stderr.decode(errors="replace"), "bcftools annotate")):
        if rc != 0:
            lines = [ln for ln in err.strip().splitlines() if ln.strip()]
            raise InternalError(f"{what} failed: {lines[-1] if lines else f'exit {rc}'}")


def _in_process(mp: list[str], call: list[str], ann: list[str], workdir: Path) -> None:
    """The same three steps through the bcftools inside pysam, joined by temporary BCF files."""
    import pysam
    import pysam.bcftools

    piled, called = workdir / "mpileup.bcf", workdir / "call.bcf"
    steps = ((mp, piled, None), (call, called, piled), (ann, None, called))
    for args, dest, src in steps:
        cmd, rest = args[0], list(args[1:])
        if dest is not None:
            rest += ["-o", str(dest)]
        if src is not None:
            rest.append(str(src))
        try:
            getattr(pysam.bcftools, cmd)(*rest, catch_stdout=False)
        except pysam.SamtoolsError as exc:
            lines = [ln for ln in str(exc).splitlines() if ln.strip()]
            raise InternalError(f"bcftools {cmd} failed: {lines[-1] if lines else exc}") from None
