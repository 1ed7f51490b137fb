"""Report formats: they render control results and decide nothing."""
