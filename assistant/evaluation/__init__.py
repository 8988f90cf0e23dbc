"""The evaluation harness's app side: methods as the harness runs them, the requests control."""
