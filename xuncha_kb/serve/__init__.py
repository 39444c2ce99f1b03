"""``xuncha-kb serve``: a local web dashboard of the report model, live from the watch machinery.

An edge like ``cli``: it may import ``commands`` and everything below.  ``guard`` holds the pure
request checks (token, Host, Origin), ``board`` the live model shared by the HTTP threads,
``actions`` the write actions (plan first, apply on confirmation), ``handler`` the HTTP routes
and ``run`` the start-up.  The HTTP server is the standard library's (docs/serve.md says why).
"""
