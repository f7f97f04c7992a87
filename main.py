"""Wires the pipeline's stacks together; `cdktf synth` runs this (see cdktf.json).

No resource is declared here: see modules/.
"""

from modules import PipelineConfig, StateStack  # first: makes provider imports fast

from cdktf import App

config = PipelineConfig.from_env()
app = App()
StateStack(app, "state", config=config)
app.synth()
