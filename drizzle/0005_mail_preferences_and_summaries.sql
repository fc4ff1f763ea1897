CREATE TABLE "order_mail_summaries" (
	"order_id" uuid NOT NULL,
	"n" integer NOT NULL,
	"account_id" text NOT NULL,
	"through_seq" bigint NOT NULL,
	"event_ids" bigint[] NOT NULL,
	"job_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"message_id" text,
	"sending_until" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_mail_summaries_order_id_n_pk" PRIMARY KEY("order_id","n")
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "mail_preference" text DEFAULT 'every_report' NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox_events" ADD COLUMN "mail_mode" text;--> statement-breakpoint
CREATE UNIQUE INDEX "order_mail_summaries_job_uq" ON "order_mail_summaries" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "notification_deliveries_held_mail_idx" ON "notification_deliveries" USING btree ("event_id") WHERE channel = 'mail' and status = 'held';