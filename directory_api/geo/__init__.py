"""Geography: the only code that touches shapely and geopy. Great-circle distances and the
point index (`distance`), the offline gazetteer of postcodes, places and
municipalities (`gazetteer`, reading the GeoNames places in `places` and the CBS
municipalities in `municipalities`), the online geocoder adapter (`online`: Nominatim, used only
when importing), and fetching the open geodata at set-up (`geodata`). No Flask, no SQL."""
