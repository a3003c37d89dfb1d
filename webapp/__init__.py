"""The Streamlit plumbing every lesson page stands on: the page context, the caches, the reset guard, the session's
language and address, and the widgets (the wall, the decoded panel, choices, notices). It imports latentwall,
never lessons."""
