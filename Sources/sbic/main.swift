print("sbic")
