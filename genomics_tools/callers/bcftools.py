"""The baseline caller: `bcftools mpileup | bcftools call -mv`, behind the same protocol."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import ClassVar

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
        proc = run_tool(["bcftools", "--version"], "bcftools --version")
        return proc.stdout.decode().splitlines()[0].strip()

    def call(self, bam, reference, regions: list[Region], out, sample: str | None = None) -> Path:
        """See `VariantCaller.call`."""
        version = self.version
        with tempfile.TemporaryDirectory() as td:
            hdr = Path(td) / "extra.hdr"
            hdr.write_text(f"##source=medbot-{self.name}\n##medbot_caller=<ID={self.name},Version=\"{version}\">\n")
            region_arg = ",".join(str(r) for r in regions)
            mp = ["bcftools", "mpileup", "-f", str(reference), "-a", "AD,DP", "-q", str(self.min_mapq),
                  "-Q", str(self.min_baseq), "-Ou", "--threads", "1"]
            if region_arg:
                mp += ["-r", region_arg]
            mp.append(str(bam))
            call = ["bcftools", "call", "-mv", "-Ou"]
            with atomic_vcf(out) as tmp:
                ann = ["bcftools", "annotate", "-h", str(hdr), "-Oz", "-o", str(tmp)]
                p1 = subprocess.Popen(mp, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                p2 = subprocess.Popen(call, stdin=p1.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                p1.stdout.close()
                p3 = subprocess.run(ann, stdin=p2.stdout, capture_output=True)
                p2.stdout.close()
                err1 = p1.stderr.read().decode(errors="replace")
                err2 = p2.stderr.read().decode(errors="replace")
                rc1, rc2 = p1.wait(), p2.wait()
                for rc, err, what in ((rc1, err1, "bcftools mpileup"), (rc2, err2, "bcftools call"),
                                      (p3.returncode, p3.stderr.decode(errors="replace"), "bcftools annotate")):
                    if rc != 0:
                        lines = [ln for ln in err.strip().splitlines() if ln.strip()]
                        raise InternalError(f"{what} failed: {lines[-1] if lines else f'exit {rc}'}")
                run_tool(["tabix", "-f", "-p", "vcf", str(tmp)], "tabix")
        return Path(out)
