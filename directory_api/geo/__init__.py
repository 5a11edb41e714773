"""Geography: the only code that touches shapely and geopy. Great-circle distances and the
STRtree point index, the offline gazetteer (postcodes and places from the GeoNames tables),
the online geocoder adapter (Nominatim, used only when importing), and fetching the open
geodata at set-up. No Flask, no SQL."""
