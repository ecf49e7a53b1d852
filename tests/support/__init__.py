"""Test helpers shared by the suites: real JavaScript Yjs clients and the Node reference server."""
