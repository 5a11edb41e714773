"""Opening hours as data: the OpenStreetMap `opening_hours` syntax and the Dutch forms lists
use (`normalise`: 'ma-vr 08:30-17:00, za 10:00-13:00' -> 'Mo-Fr 08:30-17:00; Sa 10:00-13:00'),
and their evaluation (`evaluate`: open, closed or unknown at a moment, and the next change),
in Europe/Amsterdam time with the Dutch public holidays, by the opening-hours-py library.
No Flask, no SQL; imports nothing of the project but `directory_api.errors`."""
