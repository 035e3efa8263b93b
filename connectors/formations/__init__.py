"""The CAE side of the training pool: ``cae-hub formations …``.

``dossier-opco`` fetches an accepted seat request from the hub and merges it, at the CAE, with
the list of trainees that only the CAE holds, into the OPCO request pack (a PDF and a CSV
written locally); ``exporter`` writes the network's pooled catalogue as a LHÉO file. Nothing
personal is sent to the hub.
"""
