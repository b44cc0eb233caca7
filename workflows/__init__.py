"""The process engine layer: BPMN specs, running instances and their state, on SpiffWorkflow.

Only this package imports SpiffWorkflow. It never touches SQL, Streamlit or `anju`; it hands
out plain dataclasses (`views.py`) and serializable dicts (`serializer.py`).
"""
