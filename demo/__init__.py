"""The bundled demo: a portal of consistent reports with a handful of planted defects,
served on 127.0.0.1 for `nianbao demo` and for the crawler's tests."""
