"""Streamlit entry point: `streamlit run app.py` (see the README's `make run`).

`streamlit run` finds the `st.App` below and serves it: Streamlit plus Anju's sign-in routes
(`anju/ui/web_session.py`), which set the HttpOnly session cookie, behind the Host
allow-list of `anju/ui/host_guard.py` (`ANJU_ALLOWED_HOSTS`). The same file is then run
as the app's main script (`__name__ == "__main__"`), which draws the pages.
"""

import streamlit as st

if __name__ == "__main__":
    from anju.ui.app import main

    main()
else:
    from anju.ui.host_guard import middleware
    from anju.ui.web_session import ROUTES

    app = st.App(__file__, routes=ROUTES, middleware=middleware())
