"""What staff's review turns into: the "À améliorer" backlog and validated answers (#19).

- :mod:`.backlog`: the questions of a window that got no answer, a refusal, a thumbs-down
  or a low score; :mod:`.grouping` puts similar ones together with the search's embedder.
- :mod:`.handled`: the items staff marked handled (a handled question comes back only when
  it is asked again afterwards).
- :mod:`.validated`: answers staff validated for a question, per landlord;
  :mod:`.matching` finds the one a new question is close enough to.
"""
