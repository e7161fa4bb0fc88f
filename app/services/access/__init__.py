"""Who is acting, where and when: the context every use case is given, and logging in
with a PIN (lock-out, a manager's one-off approval)."""
