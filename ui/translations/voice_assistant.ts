<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name></name>
    <message>
        <location filename="../app.py" line="93"/>
        <source>App</source>
        <comment>Unexpected {0}: {1}. The details are in the log file.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="95"/>
        <source>App</source>
        <comment>Something went wrong</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="96"/>
        <source>App</source>
        <comment>Error</comment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../widgets/chat_view.py" line="266"/>
        <source>Start a conversation: type a message below and press Ctrl+Enter.
Everything stays on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="280"/>
        <source>Conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="289"/>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="290"/>
        <source>Write a message… (Ctrl+Enter sends, Esc stops)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="294"/>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="296"/>
        <source>Send message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="297"/>
        <source>Send (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="299"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="301"/>
        <source>Stop reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="302"/>
        <source>Stop the reply; the text so far is kept (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CloudPanel</name>
    <message>
        <location filename="../widgets/cloud_panel.py" line="82"/>
        <source>Use the cloud model for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="84"/>
        <source>Use the cloud for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="92"/>
        <source>Cloud endpoint URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="93"/>
        <source>https://api.example.com/v1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="96"/>
        <source>Cloud model name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="99"/>
        <source>The remote model&apos;s chat template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="100"/>
        <source>Found by the check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="101"/>
        <source>The server&apos;s own</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="102"/>
        <source>The same as my local model&apos;s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="106"/>
        <source>How the remote model reads a conversation, for steering through completions. Leave it to the check unless you know the remote&apos;s family.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="110"/>
        <location filename="../widgets/cloud_panel.py" line="146"/>
        <source>API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="112"/>
        <source>Leave empty to keep the stored key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="116"/>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="118"/>
        <source>Save cloud settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="120"/>
        <source>Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="123"/>
        <source>Ask the endpoint what it can do: which routes, log-probabilities, whether it continues a reply, its template. Sends a few tiny requests with no text of yours.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="133"/>
        <source>Not checked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="139"/>
        <source>What will be sent to the cloud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="143"/>
        <source>Endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="144"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="145"/>
        <source>Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="152"/>
        <source>Endpoint (any OpenAI-compatible server)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="158"/>
        <source>What will be sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="161"/>
        <source>Only the conversation&apos;s messages and the chosen tokens go out; your writing history and profile never do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="192"/>
        <source>How it is used: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="193"/>
        <source>not checked yet (Test connection)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="195"/>
        <source>Set up: {0} ({1}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="198"/>
        <source>Not set up: enter the endpoint and the model, then Save.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="235"/>
        <source>Pick a conversation (or send a first message) to choose for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="305"/>
        <source>Cloud settings saved; checking the endpoint…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="311"/>
        <source>Enter the endpoint and the model, then Save.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="314"/>
        <source>Checking what the endpoint can do…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="320"/>
        <source>The check failed: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="323"/>
        <source>Checked at {0}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <location filename="../widgets/conversation_list.py" line="46"/>
        <source>Search conversations (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="47"/>
        <source>Search conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="57"/>
        <source>Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="71"/>
        <source>New</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="73"/>
        <source>New conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="74"/>
        <source>Start a new chat (Ctrl+N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="76"/>
        <location filename="../widgets/conversation_list.py" line="195"/>
        <source>Rename</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="78"/>
        <source>Rename conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="79"/>
        <source>Rename the selected conversation (F2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="81"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="83"/>
        <source>Delete conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="196"/>
        <source>Settings of this conversation…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="197"/>
        <source>Export as Markdown…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="198"/>
        <source>Export as JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="200"/>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationSettingsDialog</name>
    <message>
        <location filename="../widgets/conversation_settings.py" line="36"/>
        <source>Settings of “{0}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="42"/>
        <source>Instructions for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="44"/>
        <source>Empty: the app&apos;s system prompt. For example: answer in German, briefly.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="48"/>
        <source>Personalization for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="49"/>
        <source>The app&apos;s choice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="56"/>
        <source>Temperature for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="61"/>
        <source>The app&apos;s ({0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="63"/>
        <source>0 always picks the likeliest word; higher is more varied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="67"/>
        <source>Reply length for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="70"/>
        <source>The app&apos;s ({0} tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="71"/>
        <source> tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="73"/>
        <source>These apply to this conversation only, and travel with it in an export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="77"/>
        <source>Instructions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="78"/>
        <source>Personalization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="79"/>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="80"/>
        <source>Reply length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="99"/>
        <source>Settings not saved</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <location filename="../dialogs.py" line="68"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DraftPane</name>
    <message>
        <location filename="../widgets/draft_pane.py" line="49"/>
        <source>Draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="51"/>
        <source>Write here. Then ask for help with the buttons below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="63"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="65"/>
        <source>Stop writing the suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="73"/>
        <location filename="../widgets/draft_pane.py" line="111"/>
        <source>Suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="75"/>
        <source>The model&apos;s suggestion appears here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="77"/>
        <location filename="../widgets/draft_pane.py" line="79"/>
        <location filename="../widgets/draft_pane.py" line="263"/>
        <source>Use suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="81"/>
        <source>Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="83"/>
        <source>Discard suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="87"/>
        <location filename="../widgets/draft_pane.py" line="89"/>
        <source>Save as my writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="91"/>
        <source>Store this text in your writing history: your profile learns from it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="93"/>
        <location filename="../widgets/draft_pane.py" line="95"/>
        <source>New draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="224"/>
        <source>Cannot save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="263"/>
        <source>Append to draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="266"/>
        <source>Not saved to your writing history yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="269"/>
        <source>Saved as writing sample #{0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="272"/>
        <source>Changed since it was saved (sample #{0}); save again to update.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HeadMap</name>
    <message>
        <location filename="../widgets/head_map.py" line="22"/>
        <source>Preference heads, layer by head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/head_map.py" line="32"/>
        <source>layer {0} head {1}: {2:+.3f}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <location filename="../widgets/history_panel.py" line="33"/>
        <source>chat message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="34"/>
        <source>draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="35"/>
        <source>imported file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="38"/>
        <source>Chat messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="39"/>
        <source>Drafts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="40"/>
        <source>Imported files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="42"/>
        <source>Text files (*.txt *.md *.markdown *.text);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="81"/>
        <source>Show samples from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="82"/>
        <source>All sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="86"/>
        <source>Import files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="88"/>
        <source>Import text files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="89"/>
        <source>Import .txt or .md files (or drop them here)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="94"/>
        <source>Writing samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="103"/>
        <source>Sample text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="104"/>
        <source>Pick a sample to read or edit it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="106"/>
        <source>Save changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="108"/>
        <source>Save changes to the sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="110"/>
        <location filename="../widgets/history_panel.py" line="245"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="112"/>
        <source>Delete the sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="135"/>
        <source>Drop .txt or .md files here to add them to your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="177"/>
        <source>{0} writing sample(s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="183"/>
        <source> Your profile uses {0} of them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="198"/>
        <source>Sample #{0}: {1}{2}, added {3}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="228"/>
        <source>Cannot save the sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="232"/>
        <source>Sample #{0} saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="242"/>
        <source>Delete writing sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="243"/>
        <source>Delete sample #{0} from your writing history?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="246"/>
        <source>Your profile will not learn from it when it is next built.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="254"/>
        <source>Sample #{0} deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="260"/>
        <source>Import your writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="275"/>
        <source>Nothing was imported. {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="276"/>
        <source>Cannot import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="280"/>
        <source>Imported {0} file(s) into your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LiveMeters</name>
    <message>
        <location filename="../widgets/meters.py" line="25"/>
        <source>Reply speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="28"/>
        <source>How full the model&apos;s context is</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="33"/>
        <source>Context</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="56"/>
        <source>Context full: the {0} oldest turn(s) were left out of this reply.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="59"/>
        <source>Context nearly full: the next replies will leave the oldest turns out. Start a new chat to keep everything in view.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="63"/>
        <source>Context %v / %m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="65"/>
        <source>{0} tokens of {1} in use, {2} kept for the reply.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="67"/>
        <source>…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="85"/>
        <location filename="../widgets/meters.py" line="89"/>
        <source>{0:.1f} tok/s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="50"/>
        <source>auto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="66"/>
        <location filename="../main_window.py" line="67"/>
        <source>Voice Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="102"/>
        <source>Views</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="103"/>
        <source>Chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="104"/>
        <source>Draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="105"/>
        <source>Writing history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="106"/>
        <source>Personalization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="107"/>
        <source>Cloud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="108"/>
        <source>Other apps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="129"/>
        <location filename="../main_window.py" line="584"/>
        <source>Model: loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="152"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="153"/>
        <source>&amp;New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="157"/>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="162"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="166"/>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="167"/>
        <source>&amp;Find conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="171"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="172"/>
        <source>&amp;About</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="197"/>
        <source>Conversation written to {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="206"/>
        <source>Copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="232"/>
        <location filename="../main_window.py" line="339"/>
        <source>Wait for the reply to finish first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="234"/>
        <source>Delete message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="234"/>
        <source>Delete this message?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="235"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="236"/>
        <source>Your own messages stay in your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="343"/>
        <source>Edit message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="344"/>
        <source>Send this instead. The conversation continues in a branch; the original stays as it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="348"/>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="392"/>
        <source>Stopping…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="445"/>
        <source>The conversation is longer than the model&apos;s context; the {0} oldest turn(s) were left out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="495"/>
        <source>Stopped; the text so far is kept.{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="498"/>
        <source> at {0} tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="500"/>
        <source>Done: {0} tokens{1}.{2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="520"/>
        <source>Writing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="526"/>
        <source>Saved to your writing history (sample #{0}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="591"/>
        <source>A private assistant that learns how you write. Your conversations, writing history and profile stay on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="593"/>
        <source>About Voice Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="606"/>
        <source> (embedded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="607"/>
        <source>Model: {0}{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="613"/>
        <source>Model: not loaded yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="618"/>
        <source>Device: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="619"/>
        <source> · chat on {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="622"/>
        <source>Personalization: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="625"/>
        <source>Cloud: on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="625"/>
        <source>Cloud: off</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageBubble</name>
    <message>
        <location filename="../widgets/chat_view.py" line="94"/>
        <source>Your message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="94"/>
        <source>Assistant reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="98"/>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="100"/>
        <source>Copy message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="104"/>
        <source>Regenerate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="106"/>
        <source>Regenerate reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="115"/>
        <source>Previous version of this reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="122"/>
        <source>Next version of this reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="127"/>
        <source>Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="129"/>
        <source>Edit message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="130"/>
        <source>Send it changed; the conversation continues in a branch and this one stays as it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="137"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="139"/>
        <source>Delete message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="156"/>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="156"/>
        <source>Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="161"/>
        <source>partial (stopped)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="161"/>
        <source>writing…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PersonalizationPanel</name>
    <message>
        <location filename="../widgets/personalization_panel.py" line="114"/>
        <source>{0} needs no build: it reads your writing history as it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="142"/>
        <source>Personalization method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="146"/>
        <source>Personalization strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="149"/>
        <source>0.00</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="156"/>
        <source>Use this strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="158"/>
        <source>Save the strength the preview shows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="167"/>
        <source>Use it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="169"/>
        <source>Use the recommended method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="173"/>
        <location filename="../widgets/personalization_panel.py" line="175"/>
        <location filename="../widgets/personalization_panel.py" line="377"/>
        <source>Build profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="177"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="179"/>
        <source>Cancel building the profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="183"/>
        <source>Profile build progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="190"/>
        <source>What was learned about your writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="192"/>
        <source>After a build, a plain-words description of your writing appears here; you can edit it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="195"/>
        <location filename="../widgets/personalization_panel.py" line="197"/>
        <source>Save description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="206"/>
        <source>Prompt to preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="208"/>
        <source>Preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="212"/>
        <source>Answer one prompt with your profile off and on, side by side.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="217"/>
        <source>Reply with the profile off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="220"/>
        <source>Reply with the profile on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="222"/>
        <source>Preference heads (DPS), layer by head:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="226"/>
        <source>Method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="231"/>
        <source>Strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="232"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="236"/>
        <source>Best for you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="241"/>
        <source>What was learned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="248"/>
        <source>Words and phrases most typical of you:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="251"/>
        <location filename="../widgets/personalization_panel.py" line="332"/>
        <source>Fints: no reply yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="258"/>
        <source>See the difference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="266"/>
        <source>Off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="267"/>
        <source>On (marked: words your profile made likelier)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="330"/>
        <source>Fints, last reply: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="374"/>
        <source>{0}. {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="377"/>
        <source>Rebuild profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="388"/>
        <source>No {0} profile yet: build one from your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="390"/>
        <source>No profile yet: build one from your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="392"/>
        <source>{0} profile for {1}, from {2} writing sample(s), built {3}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="396"/>
        <source> The model in use is {0}: rebuild the profile to use it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="399"/>
        <source> Personalization is off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="410"/>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="416"/>
        <source>No profile has been built from them yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="439"/>
        <source>{0} cannot be used yet: {1}. Build its profile or add your texts first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="468"/>
        <source>Writing both replies…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="476"/>
        <source>The preview did not finish.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="490"/>
        <source> at strength {0:.2f}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="492"/>
        <source>{0}{1}: {2} word(s) marked, each made at least {3:.1f}× as likely by your profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="495"/>
        <source>{0}{1}: this method decodes by itself, so no words are marked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="498"/>
        <source>Not saved yet: “Use this strength” keeps it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="508"/>
        <source>Description not saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="510"/>
        <source>Description saved; the next build keeps your wording.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="527"/>
        <source>Starting… (loading the models)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="534"/>
        <source>{0} of {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="540"/>
        <source>Cancelled; the previous profile is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="542"/>
        <source>The build failed; the previous profile is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="544"/>
        <source>Profile built; chat now uses it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="545"/>
        <source>Your profile is built.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="561"/>
        <source>{0} cannot be used yet: {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="565"/>
        <source>Chat now uses {0}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ServePanel</name>
    <message>
        <location filename="../widgets/serve_panel.py" line="50"/>
        <source>Let apps on this computer write in my voice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="52"/>
        <source>Serve my voice to apps on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="54"/>
        <location filename="../widgets/serve_panel.py" line="236"/>
        <source>Off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="60"/>
        <source>Address for other apps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="65"/>
        <source>Access token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="66"/>
        <location filename="../widgets/serve_panel.py" line="120"/>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="70"/>
        <source>Copy token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="73"/>
        <source>New token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="75"/>
        <source>Apps using the old token stop working.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="77"/>
        <source>Keep their requests and replies as conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="83"/>
        <source>An OpenAI-compatible endpoint on 127.0.0.1 only. In an app&apos;s OpenAI settings, use the address as the base URL and the token as the API key; the model &apos;voice-assistant&apos; answers with your profile, &apos;voice-assistant:plain&apos; without. Your writing history never leaves this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="95"/>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="96"/>
        <source>Token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="97"/>
        <source>Other apps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="120"/>
        <source>Hide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="126"/>
        <source> Token copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="145"/>
        <source>Saved; it applies when the server starts again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="178"/>
        <source>Starting: loading the model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="186"/>
        <source>Stopping…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="213"/>
        <source>On: apps on this computer can use your voice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="223"/>
        <source>The server could not start ({0}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="241"/>
        <source>The server stopped unexpectedly (exit code {0}).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../widgets/settings_dialog.py" line="61"/>
        <source>Automatic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="63"/>
        <source>NVIDIA GPU (CUDA)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="64"/>
        <source>Apple GPU (Metal)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="75"/>
        <source>{0} — {1}, {2} layers, context {3}, {4:.0f} MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="100"/>
        <source>{0} cannot be read ({1}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="133"/>
        <source>, base (no chat template)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="136"/>
        <source>{0} — {1}{2}, {3:.0f} MB, context {4}{5} [{6}]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="158"/>
        <location filename="../widgets/settings_dialog.py" line="159"/>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="174"/>
        <source>Model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="176"/>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="178"/>
        <source>Choose a model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="180"/>
        <location filename="../widgets/settings_dialog.py" line="182"/>
        <source>Use the embedded model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="186"/>
        <source>Models found on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="187"/>
        <source>Looking for models on this computer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="190"/>
        <source>GGUF files of this app, LM Studio, GPT4All, Jan and the Hugging Face cache. A model is used where it is; nothing is copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="200"/>
        <location filename="../widgets/settings_dialog.py" line="230"/>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="205"/>
        <source>Where the personalization methods run. Chat runs in llama.cpp, which uses the GPU when it was built with GPU support.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="209"/>
        <location filename="../widgets/settings_dialog.py" line="231"/>
        <source>Threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="211"/>
        <source>Automatic ({0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="216"/>
        <location filename="../widgets/settings_dialog.py" line="232"/>
        <source>Data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="219"/>
        <source>Everything the app stores lives here. Start with --home DIR or set ASSISTANT_HOME to use another folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="227"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="228"/>
        <source>Found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="233"/>
        <source>Model and performance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="239"/>
        <location filename="../widgets/settings_dialog.py" line="267"/>
        <source>System prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="244"/>
        <location filename="../widgets/settings_dialog.py" line="268"/>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="252"/>
        <location filename="../widgets/settings_dialog.py" line="269"/>
        <source>Reply length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="254"/>
        <location filename="../widgets/settings_dialog.py" line="261"/>
        <source> tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="258"/>
        <location filename="../widgets/settings_dialog.py" line="270"/>
        <source>Context size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="264"/>
        <source>How much of the conversation the model sees; capped at what the model was trained for. A change reloads the model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="272"/>
        <source>Defaults for every conversation; a conversation&apos;s own settings (its menu) win.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="277"/>
        <source>Replies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="281"/>
        <source>Export everything…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="283"/>
        <source>Export all data to an archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="285"/>
        <source>Import…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="287"/>
        <source>Import an archive or a ChatGPT export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="289"/>
        <source>Reset profile…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="291"/>
        <location filename="../widgets/settings_dialog.py" line="527"/>
        <source>Reset the profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="293"/>
        <source>Delete all my data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="295"/>
        <source>Delete all data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="299"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="304"/>
        <source>Your data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="351"/>
        <source>Embedded: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="362"/>
        <location filename="../widgets/settings_dialog.py" line="434"/>
        <source>Checking the model file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="369"/>
        <source>No other GGUF models found on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="372"/>
        <source>{0} model(s) on this computer: pick one…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="400"/>
        <source>Not a usable model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="412"/>
        <source>Unusable: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="417"/>
        <source>Choose a GGUF model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="418"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="454"/>
        <source>Cannot save the settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="472"/>
        <source>Export everything</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="473"/>
        <source>Archives (*.zip);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="483"/>
        <location filename="../widgets/settings_dialog.py" line="547"/>
        <source>Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="484"/>
        <source>Archives and ChatGPT exports (*.zip *.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="506"/>
        <source>Exporting to {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="510"/>
        <source>Stop the reply being written first, then import.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="511"/>
        <location filename="../widgets/settings_dialog.py" line="521"/>
        <source>Busy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="516"/>
        <source>Importing {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="520"/>
        <source>Stop the reply being written first, then reset.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="527"/>
        <source>Delete all your data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="531"/>
        <source>Deleting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="532"/>
        <source>Reset profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="532"/>
        <source>Delete everything</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="533"/>
        <source>Deleted data is overwritten in the database file, not just hidden.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="547"/>
        <location filename="../widgets/settings_dialog.py" line="563"/>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="548"/>
        <source>Reset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="556"/>
        <source>{0} cancelled; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="559"/>
        <source>{0} failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="561"/>
        <source>Exported to {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="562"/>
        <source>Everything was exported to
{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="565"/>
        <source>Done.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
