package models

// Words are what a person reads for an id, in Chinese and English (the
// project's glossary): on transfer lists, tables and messages, never the id
// itself.
var (
	StatusWords = map[string]Text{
		PayoutPending:  {Zh: "待审核", En: "pending"},
		PayoutApproved: {Zh: "已审核", En: "approved"},
		PayoutPaid:     {Zh: "已支付", En: "paid"},
		PayoutRejected: {Zh: "已驳回", En: "rejected"},
	}
	RunStatusWords = map[string]Text{
		RunRunning:     {Zh: "进行中", En: "running"},
		RunCompleted:   {Zh: "已完成", En: "completed"},
		RunInterrupted: {Zh: "已中断", En: "interrupted"},
		RunFailed:      {Zh: "失败", En: "failed"},
	}
	ApplicationStatusWords = map[string]Text{
		ApplicationSubmitted: {Zh: "已提交", En: "submitted"},
		ApplicationReturned:  {Zh: "退回修改", En: "returned"},
		ApplicationAccepted:  {Zh: "已受理", En: "accepted"},
		ApplicationRejected:  {Zh: "不予受理", En: "rejected"},
	}
	LevelWords = map[string]Text{
		LevelCity:     {Zh: "市级", En: "city"},
		LevelProvince: {Zh: "省级", En: "province"},
		LevelNational: {Zh: "国家级", En: "national"},
	}
	KindWords = map[string]Text{
		KindEnterprise: {Zh: "企业", En: "enterprise"},
		KindUniversity: {Zh: "高校", En: "university"},
	}
)
