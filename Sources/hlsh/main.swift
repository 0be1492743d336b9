print("hlsh")
