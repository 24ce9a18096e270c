package adoptcheck

import (
	"fmt"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// liveVault is the recorded vault, if it is the one the import names.
func liveVault(c *checker, r inventory.Resource) (any, string, error) {
	v, absent, err := c.response(FileBackupVault)
	if err != nil {
		return nil, "", err
	}
	if absent != "" || str(v, "BackupVaultName") != r.ImportID {
		return nil, fmt.Sprintf("backup vault %s does not exist: the import would fail", r.ImportID), nil
	}
	return v, "", nil
}

// livePlan is the recorded plan, if it is the one the import names.
func livePlan(c *checker, r inventory.Resource) (any, string, error) {
	v, absent, err := c.response(FileBackupPlan)
	if err != nil {
		return nil, "", err
	}
	if absent != "" || str(v, "BackupPlanId") != r.ImportID {
		return nil, fmt.Sprintf("backup plan %s does not exist: the import would fail (aws backup list-backup-plans)",
			r.ImportID), nil
	}
	return v, "", nil
}

// checkPlanRules compares the plan's rules. The live schedule and retention
// are carried over (article-pipeline:adopt.backup.schedule, deleteAfterDays,
// coldStorageAfterDays): a schedule that moves or a retention that shrinks
// changes what is backed up and how long it is kept, so those are refused
// until the config says the live values. Other rule fields are differences.
func checkPlanRules(c *checker, r inventory.Resource, decl, live, _ any) {
	want, _ := decl.([]any)
	have, _ := live.([]any)
	pairs, unpaired := pairRules(want, have)
	if unpaired != "" {
		c.refuse(r, "rules", unpaired)
		return
	}
	var diffs []string
	for _, p := range pairs {
		d, l := p[0], p[1]
		name := str(d, "ruleName")
		refuse := func(prop, key string, lv, dv any) {
			c.add(Finding{Severity: Refusal, Resource: r.Name, Type: r.Type, Property: "rules." + prop,
				Live: render(lv), Declared: render(dv), Message: fmt.Sprintf("rule %q: carry the live value over: set %s to %s",
					name, key, render(lv))})
		}
		if lv, dv := str(l, "ScheduleExpression"), str(d, "schedule"); lv != dv {
			refuse("schedule", "article-pipeline:adopt.backup.schedule", lv, dv)
		}
		if tz := str(l, "ScheduleExpressionTimezone"); tz != "" && tz != "Etc/UTC" && tz != "UTC" &&
			str(d, "scheduleExpressionTimezone") != tz {
			c.add(Finding{Severity: Refusal, Resource: r.Name, Type: r.Type, Property: "rules.scheduleExpressionTimezone",
				Live: render(tz), Declared: "Etc/UTC", Message: fmt.Sprintf("rule %q runs in %s; the program's schedule "+
					"is UTC: convert the live schedule to UTC in article-pipeline:adopt.backup.schedule", name, tz)})
		}
		for _, lc := range []struct{ prop, liveKey, key string }{
			{"deleteAfter", "DeleteAfterDays", "article-pipeline:adopt.backup.deleteAfterDays"},
			{"coldStorageAfter", "MoveToColdStorageAfterDays", "article-pipeline:adopt.backup.coldStorageAfterDays"},
		} {
			lv, _ := get(l, "Lifecycle", lc.liveKey)
			dv, _ := get(d, "lifecycle", lc.prop)
			if !equal(orZero(lv), orZero(dv)) {
				refuse("lifecycle."+lc.prop, lc.key, orZero(lv), orZero(dv))
			}
		}
		for _, f := range []struct{ prop, liveKey string }{
			{"ruleName", "RuleName"},
			{"targetVaultName", "TargetBackupVaultName"},
			{"startWindow", "StartWindowMinutes"},
			{"completionWindow", "CompletionWindowMinutes"},
			{"enableContinuousBackup", "EnableContinuousBackup"},
			{"recoveryPointTags", "RecoveryPointTags"},
			{"copyActions", "CopyActions"},
		} {
			dv, _ := get(d, f.prop)
			lv, _ := get(l, f.liveKey)
			if f.prop == "copyActions" {
				lv = camel(lv)
			}
			if !equal(pruned(dv), pruned(lv)) {
				diffs = append(diffs, fmt.Sprintf("rule %q %s: live %s, declared %s", name, f.prop, render(pruned(lv)),
					render(pruned(dv))))
			}
		}
	}
	if len(diffs) > 0 {
		c.diff(r, "rules", count(len(have), "rule"), count(len(want), "rule"),
			"applied by "+stepOwn+" (UpdateBackupPlan; recovery points keep their lifecycle): "+strings.Join(diffs, "; "))
	}
}

func orZero(v any) any {
	if v == nil {
		return 0.0
	}
	return v
}

// pairRules pairs declared and live rules by name; one rule on each side is a
// pair whatever its name.
func pairRules(want, have []any) ([][2]any, string) {
	if len(want) == 1 && len(have) == 1 {
		return [][2]any{{want[0], have[0]}}, ""
	}
	var pairs [][2]any
	for _, d := range want {
		l, ok := findIn(have, "RuleName", str(d, "ruleName"))
		if !ok {
			break
		}
		pairs = append(pairs, [2]any{d, l})
	}
	if len(pairs) == len(want) && len(want) == len(have) {
		return pairs, ""
	}
	var names []string
	for _, l := range have {
		names = append(names, str(l, "RuleName"))
	}
	var declared []string
	for _, d := range want {
		declared = append(declared, str(d, "ruleName"))
	}
	return nil, fmt.Sprintf("the live plan has rules [%s], the program declares [%s]: the update would replace the "+
		"schedule; declare the live rules", quoteList(names), quoteList(declared))
}

// backupSelections notes the console's selections of the adopted plan: the
// program adds its own, and two selections back the same resources up twice.
func (c *checker) backupSelections() {
	plan, ok := firstOfType(c.inv, typePlan)
	if !ok || plan.ImportID == "" {
		return
	}
	v, _, err := c.response(FileBackupSelections)
	if err != nil {
		c.incomplete(plan, err)
		return
	}
	var names []string
	for _, s := range list(v, "BackupSelectionsList") {
		names = append(names, str(s, "SelectionName")+" ("+str(s, "SelectionId")+")")
	}
	if len(names) == 0 {
		return
	}
	c.add(Finding{Severity: Note, Resource: plan.Name, Type: plan.Type, Property: "selection",
		Live: strings.Join(names, ", "), Message: "the live plan keeps its selections; the program adds its own " +
			"(backup-selection): delete the console's once the program's has run a backup (the guide's backup step)"})
}
