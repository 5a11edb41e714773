"""Geography: the only code that touches shapely and geopy. Great-circle distances and the
STRtree point index (`distance`), the offline gazetteer of postcodes and places from the
GeoNames tables (`gazetteer`), the online geocoder adapter (`online`: Nominatim, used only
when importing), and fetching the open geodata at set-up (`geodata`). No Flask, no SQL."""
