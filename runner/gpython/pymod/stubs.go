package pymod

func registerRe()          {}
func registerDatetime()    {}
func registerCollections() {}
func registerSmall()       {}
