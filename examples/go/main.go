// The reference app in Go: the same stacks as examples/typescript/app.ts, built from the Go module jsii-pacmak
// generates into dist/go (go.mod replaces the module's path with that directory).
package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/jsii-runtime-go"
	crp "github.com/cdk-resilient-postgres/cdk-resilient-postgres-go/cdkresilientpostgres"
)

const (
	account       = "111111111111"
	primaryRegion = "us-east-1"
	drRegion      = "us-west-2"
)

// Values another Region's stack can only name by a literal, read from earlier deploys' outputs: the DR foundation
// stack's BackupKeyArn and SecretKeyArn (deployed first), then the primary stack's OrdersPrimaryVpcId... and
// OrdersPrimaryEndpointAddress... (deployed second). These placeholders have the example's made-up IDs.
var (
	drBackupKeyArn = fmt.Sprintf("arn:aws:kms:%s:%s:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10", drRegion, account)
	drSecretKeyArn = fmt.Sprintf("arn:aws:kms:%s:%s:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64", drRegion, account)
)

const (
	primaryVpcID    = "vpc-0a1b2c3d4e5f60718"
	primaryEndpoint = "orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"
)

// DefineApp adds the reference app's three stacks to app, in deployment order.
func DefineApp(app awscdk.App) []awscdk.Stack {
	drFoundation := awscdk.NewStack(app, jsii.String("OrdersDrFoundation"), &awscdk.StackProps{
		Env:         &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(drRegion)},
		Description: jsii.String("Orders database: DR backup vault and secret key (cdk-resilient-postgres reference app)"),
	})
	vault := crp.NewDrBackupVault(drFoundation, jsii.String("BackupVault"), &crp.DrBackupVaultProps{
		BackupVaultName: jsii.String("orders-dr"),
		LockConfiguration: &awsbackup.LockConfiguration{
			MinRetention:  awscdk.Duration_Days(jsii.Number(7)),
			MaxRetention:  awscdk.Duration_Days(jsii.Number(365)),
			ChangeableFor: awscdk.Duration_Days(jsii.Number(3)),
		},
	})
	awscdk.NewCfnOutput(drFoundation, jsii.String("BackupKeyArn"), &awscdk.CfnOutputProps{Value: vault.EncryptionKey().KeyArn()})
	secretKey := crp.NewDrSecretKey(drFoundation, jsii.String("SecretKey"), nil)
	awscdk.NewCfnOutput(drFoundation, jsii.String("SecretKeyArn"), &awscdk.CfnOutputProps{Value: secretKey.KeyArn()})

	primary := awscdk.NewStack(app, jsii.String("OrdersPrimary"), &awscdk.StackProps{
		Env:         &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(primaryRegion)},
		Description: jsii.String("Orders database: Multi-AZ primary (cdk-resilient-postgres reference app)"),
	})
	dr := awscdk.NewStack(app, jsii.String("OrdersDr"), &awscdk.StackProps{
		Env:         &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(drRegion)},
		Description: jsii.String("Orders database: cross-Region replica, failover and runbook (cdk-resilient-postgres reference app)"),
	})
	primary.AddStackDependency(drFoundation, jsii.String("the replicated backups and the secret replica are encrypted with its keys"))

	orders := crp.NewMultiRegionPostgres(primary, jsii.String("Orders"), &crp.MultiRegionPostgresProps{
		DrScope:                dr,
		Name:                   jsii.String("orders"),
		ZoneName:               jsii.String("orders.internal"),
		DrBackupKeyArn:         jsii.String(drBackupKeyArn),
		DrSecretKeyArn:         jsii.String(drSecretKeyArn),
		PrimaryEndpointAddress: jsii.String(primaryEndpoint),
		PrimaryVpcId:           jsii.String(primaryVpcID),
		AwsBackup:              &crp.AwsBackupCopyOptions{Destination: vault.CopyDestination()},
		ApprovalTimeout:        awscdk.Duration_Minutes(jsii.Number(15)),
		SubscriberEmails:       jsii.Strings("oncall@example.com"),
		// The AZ drill (an AWS FIS experiment) and the Region drill (a temporary copy of the replica, promoted and
		// deleted): nothing runs until someone starts them.
		AzDrill:     jsii.Bool(true),
		RegionDrill: jsii.Bool(true),
		Objectives: &crp.ResilienceTargets{
			AzFailure:        &crp.RecoveryObjective{Rto: awscdk.Duration_Minutes(jsii.Number(5)), Rpo: awscdk.Duration_Seconds(jsii.Number(0))},
			RegionFailure:    &crp.RecoveryObjective{Rto: awscdk.Duration_Minutes(jsii.Number(45)), Rpo: awscdk.Duration_Minutes(jsii.Number(2))},
			BackupRestoreRpo: awscdk.Duration_Minutes(jsii.Number(15)),
		},
	})

	awscdk.NewCfnOutput(dr, jsii.String("RunbookArn"), &awscdk.CfnOutputProps{Value: orders.Runbook().StateMachine().StateMachineArn()})
	awscdk.NewCfnOutput(dr, jsii.String("WriterName"), &awscdk.CfnOutputProps{Value: orders.Failover().WriterDnsName()})
	awscdk.NewCfnOutput(dr, jsii.String("ReaderName"), &awscdk.CfnOutputProps{Value: orders.Failover().ReaderDnsName()})
	return []awscdk.Stack{drFoundation, primary, dr}
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	DefineApp(app)
	app.Synth(nil)
}
