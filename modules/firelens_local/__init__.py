"""firelens_local: deploy and check a firelens_cdktf app on a local AWS emulator, with no account.

The reusable part of the dev harness, shipped in the wheel beside the
library; install its dependencies with ``pip install 'firelens-cdktf[local]'``:

- :mod:`.emulator`: moto's server on 127.0.0.1, with the patches that make
  it answer the way AWS does for this pipeline
  (``python -m firelens_local.emulator start --port 4566``);
- :mod:`.synth`, :mod:`.terraform`, :mod:`.terraform_rc`, :mod:`.state`,
  :mod:`.apply`: synth an app and run Terraform against the emulator;
- :mod:`.delivery`: a stand-in for the log router's AWS outputs;
- :mod:`.readback`, :mod:`.delivery_check`, :mod:`.archive_records`,
  :mod:`.archive_check`: read what arrived and compare it with the preview;
- :mod:`.query`: the archive's saved Athena queries, run with DuckDB;
- the real Fluent Bit in the loop: :mod:`.fluent_bit` runs the binary as a
  task's log router (:mod:`.firelens_config`, FireLens's generated config;
  :mod:`.run_folder`, what its private mounts show it),
  in namespaces of its own (:mod:`.netns`), reaching the emulator through a
  TLS proxy that can fail on demand (:mod:`.fault_proxy`, :mod:`.run_ca`);
  :mod:`.forward` feeds it as Docker's log driver does (:mod:`.msgpack_encoder`);
  :mod:`.faults` throttles the emulator's Firehose.

It imports the library (:mod:`firelens_cdktf`), never the reverse.
"""

from __future__ import annotations
