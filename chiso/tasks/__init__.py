"""Assigned tasks (nhiệm vụ do UBND tỉnh, Chủ tịch UBND tỉnh giao): the domain, no storage.

A task is given by a leader in a source document to a lead unit (đơn vị chủ trì), with
co-operating units, a deadline (a date, a recurring report day, or none), a priority star
and a field. Its life — progress updates, extension requests and decisions, a completion
report, the office's acceptance or return — is a list of events; its state at any date is
*computed* from the deadline and the events, never typed (``chiso.tasks.states``).

- ``model``: the task, its deadline, its instances and events as plain values.
- ``deadlines``: deadlines from text ("30/11/2026", "15 ngày làm việc"), rolled to a
  working day, and the instances of a recurring task.
- ``states``: the four states, overdue age buckets, "due soon", the update rate — one
  instance at one date, and many instances at many dates at once (polars).

docs/tasks.md describes the model, the states and the file format.
"""
