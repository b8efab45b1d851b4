"""`tflm`: the host command line of micropython-tflm (convert, inspect, deploy, run, bench, emulate)."""
__version__ = "0.1.0"
